"""The emulator's ``spreadsheets.create`` with a whole body, and protected ranges enforced on writes."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from google_emulator import Emulator
from google_emulator.client import credentials
from google_emulator.protection import PROTECTED_MESSAGE
from sync.backends.gsheets.client import GoogleClient
from sync.exceptions import GoogleApiError

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"
OTHER = "unit@emulator-project.iam.gserviceaccount.com"
GREY = {"red": 0.85, "green": 0.85, "blue": 0.85}


@pytest.fixture
def owner(emulator: Emulator, service_account: dict[str, Any]) -> Iterator[GoogleClient]:
    client = GoogleClient(credentials(service_account), endpoint=emulator.url, base_delay=0.01)
    yield client
    client.close()


@pytest.fixture
def other(emulator: Emulator) -> Iterator[GoogleClient]:
    client = GoogleClient(
        credentials(emulator.create_service_account(OTHER)), endpoint=emulator.url, base_delay=0.01
    )
    yield client
    client.close()


def rng(**kw: int) -> dict[str, int]:
    return {"sheetId": 7, **kw}


def content() -> dict[str, Any]:
    """One tab's whole content as a create body carries it (sheetId 7)."""
    return {
        "properties": {
            "sheetId": 7,
            "title": "Dữ liệu",
            "gridProperties": {"rowCount": 20, "columnCount": 5, "frozenRowCount": 1},
        },
        "data": [
            {
                "startRow": 0,
                "rowData": [
                    {
                        "values": [
                            {
                                "userEnteredValue": {"stringValue": "=không là công thức"},
                                "userEnteredFormat": {"backgroundColor": GREY},
                            },
                            {"note": "ghi chú"},
                        ]
                    },
                    {
                        "values": [
                            {
                                "userEnteredValue": {"numberValue": 45658},
                                "userEnteredFormat": {
                                    "numberFormat": {"type": "DATE", "pattern": "dd/mm/yyyy"}
                                },
                            },
                            {
                                "dataValidation": {
                                    "condition": {
                                        "type": "ONE_OF_LIST",
                                        "values": [{"userEnteredValue": "Có"}],
                                    },
                                    "strict": True,
                                }
                            },
                        ]
                    },
                    {
                        "values": [
                            {},
                            {
                                "dataValidation": {
                                    "condition": {
                                        "type": "ONE_OF_LIST",
                                        "values": [{"userEnteredValue": "Có"}],
                                    },
                                    "strict": True,
                                }
                            },
                        ]
                    },
                ],
                "columnMetadata": [{"pixelSize": 150}, {"pixelSize": 60}],
                "rowMetadata": [{"pixelSize": 40}],
            }
        ],
        "merges": [rng(startRowIndex=5, endRowIndex=6, startColumnIndex=0, endColumnIndex=3)],
        "conditionalFormats": [
            {
                "ranges": [rng(startRowIndex=1, endRowIndex=20, startColumnIndex=2, endColumnIndex=3)],
                "booleanRule": {"condition": {"type": "BLANK"}, "format": {"backgroundColor": GREY}},
            }
        ],
        "basicFilter": {"range": rng(startRowIndex=0, endRowIndex=20, startColumnIndex=0, endColumnIndex=5)},
        "protectedRanges": [
            {
                "range": rng(startColumnIndex=0, endColumnIndex=1),
                "description": "Cột A",
                "editors": {"users": ["nobody@x.vn"]},
            },
            {"range": rng(startRowIndex=0, endRowIndex=1), "warningOnly": True},
        ],
    }


def same_by_requests(owner: GoogleClient) -> str:
    """The same content built the long way: create, then one batchUpdate of the equivalent requests."""
    c = content()
    sid = owner.request(
        "POST", SHEETS, json={"properties": {"title": "B"}, "sheets": [{"properties": c["properties"]}]}
    ).json()["spreadsheetId"]
    rows = c["data"][0]["rowData"]
    plain = [
        {"values": [{k: v for k, v in cell.items() if k != "dataValidation"} for cell in r["values"]]}
        for r in rows
    ]
    rule = rows[1]["values"][1]["dataValidation"]
    reqs: list[dict[str, Any]] = [
        {
            "updateCells": {
                "start": {"sheetId": 7, "rowIndex": 0, "columnIndex": 0},
                "rows": plain,
                "fields": "userEnteredValue,userEnteredFormat,note",
            }
        },
        {
            "setDataValidation": {
                "range": rng(startRowIndex=1, endRowIndex=3, startColumnIndex=1, endColumnIndex=2),
                "rule": rule,
            }
        },
        {
            "updateDimensionProperties": {
                "range": {"sheetId": 7, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1},
                "properties": {"pixelSize": 150},
                "fields": "pixelSize",
            }
        },
        {
            "updateDimensionProperties": {
                "range": {"sheetId": 7, "dimension": "COLUMNS", "startIndex": 1, "endIndex": 2},
                "properties": {"pixelSize": 60},
                "fields": "pixelSize",
            }
        },
        {
            "updateDimensionProperties": {
                "range": {"sheetId": 7, "dimension": "ROWS", "startIndex": 0, "endIndex": 1},
                "properties": {"pixelSize": 40},
                "fields": "pixelSize",
            }
        },
        {"mergeCells": {"range": c["merges"][0], "mergeType": "MERGE_ALL"}},
        {"addConditionalFormatRule": {"rule": c["conditionalFormats"][0], "index": 0}},
        {"setBasicFilter": {"filter": c["basicFilter"]}},
        *({"addProtectedRange": {"protectedRange": pr}} for pr in c["protectedRanges"]),
    ]
    owner.request("POST", f"{SHEETS}/{sid}:batchUpdate", json={"requests": reqs})
    return str(sid)


def comparable(owner: GoogleClient, sid: str) -> dict[str, Any]:
    got = owner.request("GET", f"{SHEETS}/{sid}", params={"includeGridData": "true"}).json()
    sheet = got["sheets"][0]
    for pr in sheet.get("protectedRanges") or []:
        pr.pop("protectedRangeId")
    return dict(sheet)


def test_create_with_the_whole_body_is_the_same_as_building_it(owner: GoogleClient) -> None:
    created = owner.request(
        "POST", SHEETS, json={"properties": {"title": "A", "locale": "vi_VN"}, "sheets": [content()]}
    ).json()
    assert created["properties"]["locale"] == "vi_VN"
    assert created["sheets"][0]["properties"]["sheetId"] == 7
    assert created["sheets"][0]["protectedRanges"][0]["editors"]["users"] == [
        owner.account_email,
        "nobody@x.vn",
    ]
    assert (
        "editors" not in created["sheets"][0]["protectedRanges"][1]
        or created["sheets"][0]["protectedRanges"][1]["editors"] == {}
    )
    assert comparable(owner, created["spreadsheetId"]) == comparable(owner, same_by_requests(owner))
    cells = comparable(owner, created["spreadsheetId"])["data"][0]["rowData"]
    assert cells[0]["values"][0]["userEnteredValue"] == {"stringValue": "=không là công thức"}
    assert cells[2]["values"][1]["dataValidation"]["condition"]["type"] == "ONE_OF_LIST"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda b: b["sheets"][0]["protectedRanges"][1].update(editors={"users": ["a@x.vn"]}),
            "ProtectedRange is warningOnly. Editors cannot be set on it.",
        ),
        (lambda b: b["sheets"][0]["merges"][0].update(endRowIndex=99), "exceeds grid limits"),
        (
            lambda b: b["sheets"][0]["data"][0]["rowData"][2]["values"][1].update(
                dataValidation={"strict": True}
            ),
            "the rule needs a condition",
        ),
    ],
)
def test_a_bad_body_makes_nothing(owner: GoogleClient, emulator: Emulator, change: Any, message: str) -> None:
    body = {"properties": {"title": "Hỏng"}, "sheets": [content()]}
    change(body)
    with pytest.raises(GoogleApiError) as e:
        owner.request("POST", SHEETS, json=body)
    assert e.value.status == 400 and message in e.value.message
    assert not emulator.state.files  # all or nothing, as Google


def test_protected_cells_refused_to_others(
    owner: GoogleClient, other: GoogleClient, emulator: Emulator
) -> None:
    body = copy.deepcopy({"properties": {"title": "P"}, "sheets": [content()]})
    body["sheets"][0]["protectedRanges"][0]["unprotectedRanges"] = [
        rng(startRowIndex=10, endRowIndex=12, startColumnIndex=0, endColumnIndex=1)
    ]
    sid = owner.request("POST", SHEETS, json=body).json()["spreadsheetId"]
    emulator.share(sid, OTHER, "writer")
    values = f"{SHEETS}/{sid}/values/"
    raw = {"valueInputOption": "RAW"}
    for target in ("'Dữ liệu'!A3", "'Dữ liệu'!A2:B2"):
        with pytest.raises(GoogleApiError) as e:
            other.request(
                "PUT",
                values + target,
                params=raw,
                json={"values": [["x", "y"][: 1 if target.endswith("A3") else 2]]},
            )
        assert (e.value.status, e.value.google_status, e.value.message) == (
            400,
            "INVALID_ARGUMENT",
            PROTECTED_MESSAGE,
        )
    with pytest.raises(GoogleApiError) as e:  # batchUpdate too, and all of it is refused
        other.request(
            "POST",
            f"{SHEETS}/{sid}:batchUpdate",
            json={
                "requests": [
                    {
                        "updateCells": {
                            "start": {"sheetId": 7, "rowIndex": 3, "columnIndex": 2},
                            "rows": [{"values": [{"userEnteredValue": {"stringValue": "C4"}}]}],
                            "fields": "userEnteredValue",
                        }
                    },
                    {
                        "repeatCell": {
                            "range": rng(
                                startRowIndex=3, endRowIndex=4, startColumnIndex=0, endColumnIndex=1
                            ),
                            "cell": {"userEnteredValue": {"stringValue": "A4"}},
                            "fields": "userEnteredValue",
                        }
                    },
                ]
            },
        )
    assert e.value.message == PROTECTED_MESSAGE
    assert emulator.get_values(sid, "'Dữ liệu'!A4:C4") == []
    # outside the range, inside its unprotected part, a warning-only range (row 1): written
    other.request("PUT", values + "'Dữ liệu'!B4", params=raw, json={"values": [["B4"]]})
    other.request("PUT", values + "'Dữ liệu'!A11", params=raw, json={"values": [["A11"]]})
    other.request("PUT", values + "'Dữ liệu'!C1", params=raw, json={"values": [["C1"]]})
    # the owner writes anywhere
    owner.request("PUT", values + "'Dữ liệu'!A3", params=raw, json={"values": [["A3"]]})
    assert emulator.get_values(sid, "'Dữ liệu'!A3:C4") == [["A3"], ["", "B4"]]
