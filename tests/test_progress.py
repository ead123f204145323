"""The progress line of a long sync: units, requests, quota waits, time left (sync.progress)."""

from __future__ import annotations

from sync.progress import ProgressLine, duration


def test_duration_in_vietnamese() -> None:
    assert duration(4.4) == "4 giây"
    assert duration(125) == "2 phút 05 giây"


def test_line_for_a_google_sync() -> None:
    line = ProgressLine(started=100.0)
    # 30 of 118 units in 15 s: 88 left at the same pace is 44 s
    text = line.text("XA-001", 30, 118, 115.0, (31, 12.0))
    assert text == "XA-001 · 31 yêu cầu · chờ hạn mức 12 giây · còn khoảng 44 giây"


def test_line_for_files_and_at_the_end() -> None:
    line = ProgressLine(started=0.0)
    assert line.text("SNV", 1, 4, 2.0, None) == "SNV · còn khoảng 6 giây"
    assert line.text("RG", 4, 4, 9.0, (5, 0.0)) == "RG · 5 yêu cầu"
