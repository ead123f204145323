"""The emulator answers as Google does: recorded gspread traffic replayed against it.

The recordings are kept with the tests (``tests/data/conformance``, a copy of
``../shared/conformance``), so every run, CI included, replays them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conformance_replay import DEFAULT_CASSETTE_DIR, out_of_scope, run

SMALL = "WorksheetTest.test_update_works_with_swapped_values_and_range.json"


def recordings() -> Path:
    """The recordings folder (the test fails when the copy is missing: nothing is skipped)."""
    assert any(DEFAULT_CASSETTE_DIR.rglob("*.json")), f"no conformance recordings in {DEFAULT_CASSETTE_DIR}"
    return DEFAULT_CASSETTE_DIR


def test_replay_matches_all_in_scope() -> None:
    report = run(recordings())
    assert len(report.in_scope) > 1000
    assert report.matched == len(report.in_scope), report.summary()


def test_replay_reports_a_response_that_differs(tmp_path: Path) -> None:
    source = next(recordings().rglob(SMALL))
    shutil.copy(source, tmp_path / SMALL)
    clean = run(tmp_path)
    assert [(r.method, r.matched) for r in clean.results] == [
        ("POST", True),
        ("GET", True),
        ("GET", True),
        ("POST", True),
        ("PUT", True),
        ("GET", True),
        ("DELETE", True),
    ]
    cassette = json.loads(source.read_text(encoding="utf-8"))
    body = cassette["interactions"][5]["response"]["body"]
    assert '"A1"' in body["string"]
    body["string"] = body["string"].replace('"A1"', '"X1"', 1)
    (tmp_path / SMALL).write_text(json.dumps(cassette), encoding="utf-8")
    report = run(tmp_path)
    bad = [r for r in report.in_scope if not r.matched]
    assert [(r.index, r.method) for r in bad] == [(5, "GET")]
    assert bad[0].expected["values"][0][0] == "X1"
    assert bad[0].actual["values"][0][0] == "A1"
    assert "in scope: 6/7 matched (85.7 %)" in report.summary()


@pytest.mark.parametrize(
    ("method", "uri", "body", "kind"),
    [
        ("GET", "https://sheets.googleapis.com/v4/spreadsheets/S/values/Sheet1!A1:B2", None, None),
        (
            "POST",
            "https://sheets.googleapis.com/v4/spreadsheets/S:batchUpdate",
            {"requests": [{"addSheet": {}}, {"addNamedRange": {}}]},
            "batchUpdate addNamedRange",
        ),
        (
            "GET",
            "https://www.googleapis.com/drive/v3/files?q=trashed%3Dfalse",
            None,
            "drive.files.list without name filter (depends on pre-existing account files)",
        ),
        ("GET", "https://www.googleapis.com/drive/v3/files/F/export?mimeType=text%2Fcsv", None, None),
        (
            "GET",
            "https://sheets.googleapis.com/v4/spreadsheets/S?fields=sheets.data.rowData",
            None,
            "spreadsheets.get fields=sheets.data.rowData",
        ),
    ],
)
def test_out_of_scope_kinds(method: str, uri: str, body: object, kind: str | None) -> None:
    assert out_of_scope(method, uri, body) == kind


def test_append_matches_googles_recordings(tmp_path: Path) -> None:
    """values.append, which ``distribute`` relies on: table detection, ``tableRange`` and
    ``updates.updatedRange`` as Google answered in the recordings."""
    for source in recordings().rglob("WorksheetTest.test_append_row*.json"):
        shutil.copy(source, tmp_path / source.name)
    report = run(tmp_path)
    appends = [r for r in report.in_scope if r.method == "POST" and ":append" in r.uri]
    assert len(appends) >= 2
    assert all(r.matched for r in report.in_scope), report.summary()
