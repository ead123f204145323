"""The report's charts: real PNGs, non-trivial, deterministic, Vietnamese text without missing glyphs."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
from matplotlib.image import imread

from sync.model import CATEGORIES
from sync.report.charts import CATEGORY_COLORS, rate_trend_chart, unit_category_chart

UNITS = [
    (
        "Sở Nông nghiệp và Phát triển nông thôn",
        {"completed_on_time": 12, "completed_late": 3, "in_progress_on_time": 7, "in_progress_overdue": 4},
    ),
    ("UBND huyện U Minh Thượng", {c: 0 for c in CATEGORIES}),
    ("Sở Tư pháp", {"completed_on_time": 5, "no_deadline": 2, "unclassified": 1}),
]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def colours(path: Path) -> set[tuple[int, int, int]]:
    img = (imread(str(path))[:, :, :3] * 255).round().astype(np.uint8)
    return {tuple(int(v) for v in px) for px in np.unique(img.reshape(-1, 3), axis=0)}


def hex_rgb(h: str) -> tuple[int, int, int]:
    return (int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16))


def test_unit_chart_is_a_real_stacked_bar_png(tmp_path: Path) -> None:
    path = unit_category_chart(
        UNITS, tmp_path / "don-vi.png", title="Nhiệm vụ theo phân loại", notes=[None, "không đọc được", None]
    )
    assert path.exists() and path.stat().st_size > 20_000
    width, height = png_size(path)
    assert width >= 1000 and height >= 400
    found = colours(path)
    assert len(found) > 50  # text antialiasing, bars, legend: not a blank image
    for cat in CATEGORIES:  # every category drawn at least in the legend
        assert hex_rgb(CATEGORY_COLORS[cat]) in found, cat


def test_unit_chart_grows_with_the_number_of_units(tmp_path: Path) -> None:
    small = unit_category_chart(UNITS[:1], tmp_path / "a.png", title="A")
    many = unit_category_chart(
        [(f"Đơn vị {i}", {"completed_on_time": i}) for i in range(37)], tmp_path / "b.png", title="B"
    )
    assert png_size(many)[1] > png_size(small)[1] * 2


def test_trend_chart_with_gaps(tmp_path: Path) -> None:
    points = [(f"T{m}\n2024", None if m < 6 else 0.5 + m / 100, None if m < 6 else 0.7) for m in range(1, 13)]
    path = rate_trend_chart(points, tmp_path / "xu-huong.png", title="Tỷ lệ đúng hạn (%)")
    assert path.stat().st_size > 15_000
    found = colours(path)
    assert hex_rgb("#2E7D32") in found and hex_rgb("#1E88E5") in found
    empty = rate_trend_chart([("T1\n2024", None, None)], tmp_path / "trong.png", title="Trống")
    assert empty.stat().st_size > 3_000


def test_charts_are_deterministic(tmp_path: Path) -> None:
    a = unit_category_chart(UNITS, tmp_path / "1.png", title="Biểu đồ")
    b = unit_category_chart(UNITS, tmp_path / "2.png", title="Biểu đồ")
    assert a.read_bytes() == b.read_bytes()
    assert b"Software" not in a.read_bytes()  # no version stamp in the metadata
