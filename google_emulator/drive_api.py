"""Drive v3 handlers: files (create, list, get, update, delete, copy) and permissions, as a route table."""

from __future__ import annotations

import copy
from typing import Any

from .drive_query import QueryError, parse_query
from .errors import ApiError, drive_error, drive_insufficient_permissions, drive_not_found, export_too_large
from .export import CSV_MIME, XLSX_MIME, export_csv, export_xlsx
from .fields import apply_fields, parse_fields
from .routes import Call, Handler, Response
from .state import DriveFile, Permission, perm_id, rfc3339

DEFAULT_FILE_FIELDS = "kind,id,name,mimeType"
PERMISSION_TYPES = ("user", "group", "domain", "anyone")
PERMISSION_ROLES = ("reader", "commenter", "writer", "owner", "fileOrganizer", "organizer")


def file_json(f: DriveFile, email: str | None) -> dict[str, Any]:
    """The file resource with every field, as ``email`` sees it (None: as its owner)."""
    owner = {
        "kind": "drive#user",
        "displayName": f.owner,
        "emailAddress": f.owner,
        "me": f.owner == email,
        "permissionId": perm_id(f.owner),
    }
    role = f.role_of(email) if email else "owner"
    return {
        "kind": "drive#file",
        "id": f.id,
        "name": f.name,
        "mimeType": f.mime_type,
        "parents": list(f.parents),
        "trashed": f.trashed,
        "version": str(f.version),
        "createdTime": rfc3339(f.created),
        "modifiedTime": rfc3339(f.modified),
        "owners": [owner],
        "ownedByMe": f.owner == email,
        "shared": len(f.permissions) > 1,
        "webViewLink": (
            f"https://docs.google.com/spreadsheets/d/{f.id}/edit?usp=drivesdk"
            if f.spreadsheet
            else f"https://drive.google.com/drive/folders/{f.id}"
        ),
        "capabilities": {"canEdit": role in ("owner", "writer"), "canDelete": role == "owner"},
        "description": f.description,
    }


def _file_out(f: DriveFile, email: str, fields: str) -> dict[str, Any]:
    out = apply_fields(file_json(f, email), parse_fields(fields or DEFAULT_FILE_FIELDS))
    return {k: v for k, v in out.items() if v is not None}


def _file(call: Call) -> tuple[DriveFile, str | None]:
    """The file of the path (404 unless the caller can see it) and the caller's role on it."""
    f = call.state.files.get(call.params["id"])
    if f is None or f.role_of(call.email) is None:
        raise drive_not_found(call.params["id"])
    return f, f.role_of(call.email)


def _require_edit(role: str | None) -> None:
    if role not in ("owner", "writer"):
        raise drive_insufficient_permissions()


# ---------------------------------------------------------------- files


def files_create(call: Call) -> Response:
    body = call.body or {}
    parents = body.get("parents") or []
    for pid in parents:
        parent = call.state.files.get(pid)
        if parent is None or parent.role_of(call.email) is None:
            raise drive_not_found(pid)
        _require_edit(parent.role_of(call.email))
    mime = body.get("mimeType") or "application/octet-stream"
    f = call.state.create_file(call.email, body.get("name") or "Untitled", mime, parents)
    if f.spreadsheet is not None:
        f.spreadsheet.props["title"] = f.name
    if body.get("description"):
        f.description = body["description"]
    return Response(200, _file_out(f, call.email, call.q("fields")))


def files_list(call: Call) -> Response:
    qtext = call.q("q")
    try:
        pred = parse_query(qtext) if qtext else (lambda d: True)
    except QueryError:
        raise drive_error(400, "invalid", "Invalid Value") from None
    trashed_default = "trashed" not in qtext
    items = [
        f
        for f in sorted(call.state.files.values(), key=lambda x: x.modified, reverse=True)
        if f.role_of(call.email) is not None
        and not (trashed_default and f.trashed)
        and pred(file_json(f, call.email))
    ]
    page_size = int(call.q("pageSize", "100") or 100)
    start = int(call.q("pageToken", "0") or 0)
    page = items[start : start + page_size]
    out: dict[str, Any] = {"kind": "drive#fileList"}
    if start + page_size < len(items):
        out["nextPageToken"] = str(start + page_size)
    out["incompleteSearch"] = False
    fields = call.q("fields")
    mask = parse_fields(fields) if fields else None
    if mask is not None and isinstance(mask.get("files"), dict):
        out["files"] = [apply_fields(file_json(f, call.email), mask["files"]) for f in page]
        out = apply_fields(out, {k: True for k in mask})
    else:
        out["files"] = [_file_out(f, call.email, DEFAULT_FILE_FIELDS) for f in page]
        if mask is not None:
            out = apply_fields(out, mask)
    return Response(200, out)


def files_get(call: Call) -> Response:
    f, _ = _file(call)
    if call.q("alt") == "media":
        raise drive_error(
            403,
            "fileNotDownloadable",
            "Only files with binary content can be downloaded. Use Export with Docs Editors files.",
        )
    return Response(200, _file_out(f, call.email, call.q("fields")))


def files_export(call: Call) -> Response:
    """The spreadsheet as .xlsx or CSV; headers as recorded for CSV (the xlsx ones inferred)."""
    f, _ = _file(call)
    mime = call.q("mimeType")
    if not mime:
        raise drive_error(400, "required", "Required parameter: mimeType")
    if f.spreadsheet is None:
        raise drive_error(403, "fileNotExportable", "Export only supports Docs Editors files.")
    if mime == XLSX_MIME:
        blob = export_xlsx(f.spreadsheet)
    elif mime == CSV_MIME:
        blob = export_csv(f.spreadsheet)
    else:
        raise drive_error(400, "badRequest", f"The requested conversion is not supported: {mime}")
    if len(blob) > call.state.export_limit:
        raise export_too_large()
    headers = {
        "Content-Type": mime,
        "Content-Disposition": "attachment",
        "Cache-Control": "private, max-age=0, must-revalidate",
        "Vary": "Origin, X-Origin",
    }
    return Response(200, None, headers, raw=blob)


def files_delete(call: Call) -> Response:
    f, role = _file(call)
    if role != "owner":
        raise drive_insufficient_permissions()
    del call.state.files[f.id]
    return Response(204, None)


def files_update(call: Call) -> Response:
    f, role = _file(call)
    _require_edit(role)
    body = call.body or {}
    if "name" in body:
        f.name = body["name"]
        if f.spreadsheet is not None:
            f.spreadsheet.props["title"] = f.name
    if "trashed" in body:
        f.trashed = bool(body["trashed"])
    if "description" in body:
        f.description = body["description"]
    for pid in call.q("addParents").split(","):
        if pid and pid not in f.parents:
            f.parents.append(pid)
    for pid in call.q("removeParents").split(","):
        if pid in f.parents:
            f.parents.remove(pid)
    call.state.touch(f)
    return Response(200, _file_out(f, call.email, call.q("fields")))


def files_copy(call: Call) -> Response:
    f, _ = _file(call)
    body = call.body or {}
    name = body.get("name") or f"Copy of {f.name}"
    new = call.state.create_file(call.email, name, f.mime_type, body.get("parents") or f.parents)
    if f.spreadsheet is not None:
        ss = copy.deepcopy(f.spreadsheet)
        ss.id = new.id
        ss.props["title"] = new.name
        new.spreadsheet = ss
    return Response(200, _file_out(new, call.email, call.q("fields")))


# ---------------------------------------------------------------- permissions


def permissions_list(call: Call) -> Response:
    f, _ = _file(call)
    return Response(
        200, {"kind": "drive#permissionList", "permissions": [x.to_json() for x in f.permissions]}
    )


def permissions_create(call: Call) -> Response:
    f, role = _file(call)
    _require_edit(role)
    body = call.body or {}
    ptype, prole = body.get("type"), body.get("role")
    if ptype not in PERMISSION_TYPES or prole not in PERMISSION_ROLES:
        raise drive_error(400, "invalid", "Invalid permission type or role.")
    addr = body.get("emailAddress")
    if ptype in ("user", "group") and not addr:
        raise drive_error(400, "required", "The permission type field is required.")
    if ptype == "anyone":
        perm = Permission("anyoneWithLink", "anyone", prole)
    else:
        perm = Permission(perm_id(addr or body.get("domain", "")), ptype, prole, addr)
    f.permissions = [x for x in f.permissions if x.id != perm.id or x.role == "owner"]
    f.permissions.append(perm)
    call.state.touch(f)
    out = perm.to_json()
    out.pop("emailAddress", None)
    fields = call.q("fields")
    return Response(200, apply_fields(out, parse_fields(fields)) if fields else out)


def _permission_not_found(call: Call) -> ApiError:
    return drive_error(404, "notFound", f"Permission not found: {call.params['pid']}.")


def permissions_get(call: Call) -> Response:
    f, _ = _file(call)
    for x in f.permissions:
        if x.id == call.params["pid"]:
            return Response(200, x.to_json())
    raise _permission_not_found(call)


def permissions_delete(call: Call) -> Response:
    f, role = _file(call)
    _require_edit(role)
    for x in f.permissions:
        if x.id == call.params["pid"] and x.role != "owner":
            f.permissions.remove(x)
            call.state.touch(f)
            return Response(204, None)
    raise _permission_not_found(call)


def unsupported(call: Call, route: str) -> Response:
    """A Drive method the emulator does not implement: 404 first if the file is not visible."""
    _file(call)
    raise drive_error(400, "badRequest", f"Unsupported: {route}")


HANDLERS: dict[str, Handler] = {
    "drive.files.create": files_create,
    "drive.files.list": files_list,
    "drive.files.get": files_get,
    "drive.files.delete": files_delete,
    "drive.files.update": files_update,
    "drive.files.copy": files_copy,
    "drive.files.export": files_export,
    "drive.permissions.list": permissions_list,
    "drive.permissions.create": permissions_create,
    "drive.permissions.get": permissions_get,
    "drive.permissions.delete": permissions_delete,
}
