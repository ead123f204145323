"""Sheets v4 handlers: spreadsheets get/create/batchUpdate and the values API, as a route table."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .batch_update import batch_update
from .create import body_requests
from .errors import ApiError, invalid_argument, sheets_not_found, sheets_permission_denied
from .fields import apply_fields, parse_fields
from .protection import check_edit
from .routes import Call, Handler, Response
from .spreadsheet import Spreadsheet
from .state import SPREADSHEET_MIME, DriveFile, State


def sheet_file(state: State, sid: str, email: str, write: bool) -> DriveFile:
    """The spreadsheet's file if ``email`` may read it (write: edit it); else Google's 404 / 403."""
    f = state.files.get(sid)
    if f is None or f.spreadsheet is None or f.trashed:
        raise sheets_not_found()
    role = f.role_of(email)
    if role is None or (write and role in ("reader", "commenter")):
        raise sheets_permission_denied()
    return f


def _spreadsheet(call: Call, write: bool = False) -> Spreadsheet:
    ss = sheet_file(call.state, call.params["id"], call.email, write).spreadsheet
    assert ss is not None
    return ss


# ---------------------------------------------------------------- spreadsheets


def spreadsheets_get(call: Call) -> Response:
    ss = _spreadsheet(call)
    include = call.q("includeGridData", "false").lower() == "true"
    fields = call.q("fields")
    ranges = call.query.get("ranges") or []
    if ranges or (fields and "data" in fields):
        include = include or "data" in fields
    data = ss.to_json(include_grid=include, ranges=ranges or None)
    if include and ranges:
        wanted = {ss.resolve(r)[0].sheet_id for r in ranges}
        for sj in data["sheets"]:
            if sj["properties"]["sheetId"] not in wanted:
                sj.pop("data", None)
    if fields:
        data = apply_fields(data, parse_fields(fields))
    return Response(200, data)


def spreadsheets_create(call: Call) -> Response:
    """A new spreadsheet with the body's whole content (``google_emulator.create``), or nothing on a 400."""
    body = call.body or {}
    props = body.get("properties") or {}
    f = call.state.create_file(
        call.email,
        props.get("title") or "Untitled spreadsheet",
        SPREADSHEET_MIME,
        locale=props.get("locale") or "en_US",
        time_zone=props.get("timeZone") or "Etc/GMT",
    )
    ss = f.spreadsheet
    assert ss is not None
    sheets = body.get("sheets") or []
    if sheets:
        try:
            ss = _fill(ss, sheets, call.email)
        except ApiError:
            del call.state.files[f.id]  # Google makes all of it or nothing
            raise
        f.spreadsheet = ss
    return Response(200, ss.to_json())


def _fill(ss: Spreadsheet, sheets: list[dict[str, Any]], email: str) -> Spreadsheet:
    first = copy.deepcopy(sheets[0].get("properties") or {})
    if first.get("sheetId") is not None:
        ss.sheets[0].props["sheetId"] = int(first["sheetId"])
    first["sheetId"] = ss.sheets[0].sheet_id
    fields = ",".join(k for k in first if k != "sheetId") or "title"
    reqs: list[dict[str, Any]] = [{"updateSheetProperties": {"properties": first, "fields": fields}}]
    reqs += [{"addSheet": {"properties": s.get("properties") or {}}} for s in sheets[1:]]
    ss, resp = batch_update(ss, {"requests": reqs})
    ids = [int(first["sheetId"])] + [int(r["addSheet"]["properties"]["sheetId"]) for r in resp["replies"][1:]]
    content = body_requests(sheets, ids)
    if content:
        ss.acting_user = email
        ss, _ = batch_update(ss, {"requests": content})
        ss.acting_user = None
    return ss


def spreadsheets_batch_update(call: Call) -> Response:
    f = sheet_file(call.state, call.params["id"], call.email, True)
    assert f.spreadsheet is not None
    f.spreadsheet.acting_user = call.email
    new, resp = batch_update(f.spreadsheet, call.body)
    check_edit(f.spreadsheet, new, call.email, f.owner)
    f.spreadsheet = new
    if "title" in new.props:
        f.name = new.props["title"]
    call.state.touch(f)
    return Response(200, resp)


# ---------------------------------------------------------------- values


def _render_options(call: Call) -> tuple[str, str, str]:
    """(majorDimension, valueRenderOption, dateTimeRenderOption) of a read."""
    return (
        call.q("majorDimension", "ROWS") or "ROWS",
        call.q("valueRenderOption", "FORMATTED_VALUE"),
        call.q("dateTimeRenderOption", "SERIAL_NUMBER"),
    )


def values_get(call: Call) -> Response:
    ss = _spreadsheet(call)
    return Response(200, ss.get_values(call.params["range"], *_render_options(call)))


def values_batch_get(call: Call) -> Response:
    ss = _spreadsheet(call)
    opts = _render_options(call)
    ranges = call.query.get("ranges") or []
    return Response(200, {"spreadsheetId": ss.id, "valueRanges": [ss.get_values(r, *opts) for r in ranges]})


def _writing(write: Callable[[Call, Spreadsheet, dict[str, Any]], dict[str, Any]]) -> Handler:
    """A values write: applied to a copy, which replaces the spreadsheet only if the write succeeds."""

    def handler(call: Call) -> Response:
        f = sheet_file(call.state, call.params["id"], call.email, True)
        assert f.spreadsheet is not None
        work = copy.deepcopy(f.spreadsheet)
        resp = write(call, work, call.body or {})
        check_edit(f.spreadsheet, work, call.email, f.owner)
        f.spreadsheet = work
        call.state.touch(f)
        return Response(200, resp)

    return handler


def _include_values(call: Call) -> bool:
    return call.q("includeValuesInResponse", "false").lower() == "true"


def _update(call: Call, work: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    rng = call.params["range"]
    resp = work.write_values(
        rng, body.get("values"), call.q("valueInputOption"), body.get("majorDimension") or "ROWS"
    )
    if _include_values(call):
        resp["updatedData"] = work.get_values(
            resp["updatedRange"], "ROWS", call.q("responseValueRenderOption", "FORMATTED_VALUE")
        )
    return resp


def _append(call: Call, work: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    insert = call.q("insertDataOption", "OVERWRITE") == "INSERT_ROWS"
    resp = work.append(
        call.params["range"],
        body.get("values"),
        call.q("valueInputOption"),
        body.get("majorDimension") or "ROWS",
        insert,
    )
    if _include_values(call):
        resp["updates"]["updatedData"] = work.get_values(resp["updates"]["updatedRange"])
    return resp


def _clear(call: Call, work: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    return work.clear(call.params["range"])


def _batch_update(call: Call, work: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    opt = body.get("valueInputOption", "")
    responses = [
        work.write_values(
            vr.get("range", ""),
            vr.get("values"),
            opt,
            vr.get("majorDimension") or "ROWS",
            field_name=f"data[{i}].values",
        )
        for i, vr in enumerate(body.get("data") or [])
    ]
    resp: dict[str, Any] = {"spreadsheetId": work.id}
    if responses:
        resp.update(
            {
                "totalUpdatedRows": sum(r.get("updatedRows", 0) for r in responses),
                "totalUpdatedColumns": sum(r.get("updatedColumns", 0) for r in responses),
                "totalUpdatedCells": sum(r.get("updatedCells", 0) for r in responses),
                "totalUpdatedSheets": len({r["updatedRange"].rsplit("!", 1)[0] for r in responses}),
                "responses": responses,
            }
        )
    return resp


def _batch_clear(call: Call, work: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    cleared = [work.clear(r)["clearedRange"] for r in body.get("ranges") or []]
    return {"spreadsheetId": work.id, "clearedRanges": cleared}


def values_unsupported(call: Call, route: str) -> Response:
    """A values method the emulator does not implement: 404/403 first, like the others."""
    sheet_file(call.state, call.params["id"], call.email, True)
    raise invalid_argument(f"Unsupported values operation: {route.rsplit('.', 1)[1]}")


HANDLERS: dict[str, Handler] = {
    "sheets.spreadsheets.get": spreadsheets_get,
    "sheets.spreadsheets.create": spreadsheets_create,
    "sheets.spreadsheets.batchUpdate": spreadsheets_batch_update,
    "sheets.values.get": values_get,
    "sheets.values.batchGet": values_batch_get,
    "sheets.values.update": _writing(_update),
    "sheets.values.append": _writing(_append),
    "sheets.values.clear": _writing(_clear),
    "sheets.values.batchUpdate": _writing(_batch_update),
    "sheets.values.batchClear": _writing(_batch_clear),
}
