from __future__ import annotations

from pathlib import Path

import pytest

from sync.emulator.conformance import (
    IN_SCOPE_BATCH_REQUESTS,
    IN_SCOPE_ROUTES,
    default_cassette_dir,
    run,
)

CASSETTES = default_cassette_dir()


def test_scope_covers_project_endpoints() -> None:
    for route in [
        "sheets.values.get",
        "sheets.values.batchGet",
        "sheets.values.update",
        "sheets.values.append",
        "sheets.values.clear",
        "sheets.spreadsheets.get",
        "sheets.spreadsheets.create",
        "sheets.spreadsheets.batchUpdate",
        "drive.files.create",
        "drive.files.list",
        "drive.files.get",
        "drive.files.delete",
        "drive.permissions.create",
    ]:
        assert route in IN_SCOPE_ROUTES
    for kind in ["updateSheetProperties", "addSheet", "deleteSheet", "updateCells", "repeatCell"]:
        assert kind in IN_SCOPE_BATCH_REQUESTS


@pytest.mark.skipif(not CASSETTES.is_dir(), reason="cassettes not available")
def test_replay_matches_all_in_scope() -> None:
    report = run(Path(CASSETTES))
    assert len(report.in_scope) > 1000
    assert report.matched == len(report.in_scope), report.summary()
    seen = {r.uri.split("?")[0].rsplit("/", 1)[-1] for r in report.in_scope}
    assert seen
