"""Replay harness: replays recorded gspread traffic (VCR cassettes) against the emulator.

Used by ``tests/test_conformance.py`` and ``scripts/conformance [CASSETTE_DIR] [--url URL]``;
it lives with the tests, not in the installed package, because the recordings live outside
it (``tests/data/conformance``, a copy of ``../shared/conformance``).

Each cassette runs against a fresh emulator state with a fresh service account.  Ids that
Google returned (file/spreadsheet ids, sheet ids, protected range ids) are mapped to the
emulator's ids as they are learned from responses; ids never seen before (e.g. somebody
else's spreadsheet) are created as spreadsheets owned by another account.  Status codes and
JSON bodies are compared exactly after id mapping and timestamp normalisation.

Scope is explicit (``IN_SCOPE_ROUTES`` / ``IN_SCOPE_BATCH_REQUESTS`` / ``out_of_scope``);
everything else is replayed (to keep state consistent) but reported separately.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests
from google.auth.transport.requests import Request

from google_emulator import Emulator, routes
from google_emulator.a1 import A1Error, parse_a1
from google_emulator.client import connect_session, credentials

#: The recordings: a copy of ``../shared/conformance`` kept with the tests (CI has only the repository).
DEFAULT_CASSETTE_DIR = Path(__file__).resolve().parent / "data" / "conformance"

IN_SCOPE_ROUTES = {
    "sheets.spreadsheets.get",
    "sheets.spreadsheets.create",
    "sheets.spreadsheets.batchUpdate",
    "sheets.values.get",
    "sheets.values.batchGet",
    "sheets.values.update",
    "sheets.values.append",
    "sheets.values.clear",
    "sheets.values.batchUpdate",
    "sheets.values.batchClear",
    "drive.files.create",
    "drive.files.list",
    "drive.files.get",
    "drive.files.delete",
    "drive.files.update",
    "drive.files.export",
    "drive.permissions.create",
    "drive.permissions.list",
    "drive.permissions.delete",
}
IN_SCOPE_BATCH_REQUESTS = {
    "addSheet",
    "deleteSheet",
    "updateSheetProperties",
    "updateSpreadsheetProperties",
    "updateCells",
    "repeatCell",
    "updateDimensionProperties",
    "autoResizeDimensions",
    "appendDimension",
    "insertDimension",
    "deleteDimension",
    "setDataValidation",
    "addConditionalFormatRule",
    "deleteConditionalFormatRule",
    "setBasicFilter",
    "clearBasicFilter",
    "addProtectedRange",
    "deleteProtectedRange",
    "mergeCells",
    "unmergeCells",
}
# spreadsheets.get field masks that are in scope (notes / named ranges / grid data are not)
OUT_OF_SCOPE_GET_FIELDS = ("namedRanges", "note", "columnMetadata", "rowData")

ID_KEYS = {"id", "spreadsheetId", "sheetId", "protectedRangeId"}
TIME_KEYS = {"createdTime", "modifiedTime"}
FILE_ID = re.compile(r"[A-Za-z0-9_-]{25,}")


def out_of_scope(method: str, uri: str, body: Any) -> str | None:
    """None when the interaction is in scope, else a short kind name."""
    parts = urlsplit(uri)
    route, _ = routes.route(method, parts.path)
    if route not in IN_SCOPE_ROUTES:
        if route == "unknown":
            segs = [x for x in parts.path.split("/") if x and not FILE_ID.fullmatch(x)]
            return f"{method} {'/'.join(segs)}"
        return f"{method} {route}"
    q = parse_qs(parts.query)
    if route == "sheets.spreadsheets.get":
        fields = (q.get("fields") or [""])[0]
        if any(k in fields for k in OUT_OF_SCOPE_GET_FIELDS):
            return f"spreadsheets.get fields={fields}"
    if route in ("sheets.values.get", "sheets.values.update"):
        rng = unquote(parts.path.split("/values/", 1)[1])
        try:
            a = parse_a1(rng)
            if a.whole_sheet and a.sheet and "!" in rng:
                raise A1Error(rng)
        except A1Error:
            return "values with a named range"
    if route == "drive.files.list" and "name" not in (q.get("q") or [""])[0]:
        return "drive.files.list without name filter (depends on pre-existing account files)"
    if route == "sheets.spreadsheets.batchUpdate" and isinstance(body, dict):
        kinds = [next(iter(r)) for r in body.get("requests") or [] if isinstance(r, dict) and r]
        bad = sorted({k for k in kinds if k not in IN_SCOPE_BATCH_REQUESTS})
        if bad:
            return "batchUpdate " + "+".join(bad)
        for r in body.get("requests") or []:
            uc = r.get("updateCells") if isinstance(r, dict) else None
            if uc and "note" in str(uc.get("fields", "")):
                return "batchUpdate updateCells(note)"
    return None


@dataclass
class Result:
    cassette: str
    index: int
    method: str
    uri: str
    in_scope: bool
    kind: str | None
    matched: bool
    expected_status: int
    actual_status: int
    expected: Any
    actual: Any


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)

    @property
    def in_scope(self) -> list[Result]:
        return [r for r in self.results if r.in_scope]

    @property
    def matched(self) -> int:
        return sum(1 for r in self.in_scope if r.matched)

    @property
    def out_of_scope_counts(self) -> Counter[str]:
        return Counter(r.kind or "?" for r in self.results if not r.in_scope)

    def summary(self) -> str:
        total = len(self.in_scope)
        rate = 100.0 * self.matched / total if total else 0.0
        lines = [f"in scope: {self.matched}/{total} matched ({rate:.1f} %)"]
        oos = self.out_of_scope_counts
        lines.append(f"out of scope: {sum(oos.values())} interactions")
        for kind, n in sorted(oos.items(), key=lambda x: (-x[1], x[0])):
            lines.append(f"  {n:4d}  {kind}")
        bad = [r for r in self.in_scope if not r.matched]
        if bad:
            lines.append("mismatches:")
            for r in bad[:50]:
                lines.append(f"  {r.cassette}#{r.index} {r.method} {r.uri}")
                lines.append(
                    f"    expected {r.expected_status}: {json.dumps(r.expected, ensure_ascii=False)[:600]}"
                )
                lines.append(
                    f"    actual   {r.actual_status}: {json.dumps(r.actual, ensure_ascii=False)[:600]}"
                )
        return "\n".join(lines)


def _body(x: dict[str, Any]) -> Any:
    b = x.get("body")
    if isinstance(b, dict):
        b = b.get("string")
    return b


def _parse(text: Any) -> Any:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if text is None or text == "":
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


_SA_EMAIL = re.compile(r"[A-Za-z0-9._-]+@[A-Za-z0-9._-]+\.iam\.gserviceaccount\.com")


def _norm_times(x: Any) -> Any:
    if isinstance(x, str):
        return _SA_EMAIL.sub("<SERVICE_ACCOUNT>", x)
    if isinstance(x, dict):
        return {k: ("<TIME>" if k in TIME_KEYS else _norm_times(v)) for k, v in x.items()}
    if isinstance(x, list):
        return [_norm_times(v) for v in x]
    return x


@dataclass
class _Ids:
    """What one cassette's replay has learned about ids."""

    strings: dict[str, str] = field(default_factory=dict)  # recorded string id -> emulator id
    nums: dict[int, int] = field(default_factory=dict)  # recorded numeric id -> emulator id
    listed: set[str] = field(default_factory=set)  # ids Google returned but the replay never learned
    tainted: dict[str, str] = field(default_factory=dict)  # recorded spreadsheet id -> out-of-scope change


class Replayer:
    def __init__(self, emulator_url: str, emulator: Emulator | None = None) -> None:
        self.url = emulator_url.rstrip("/")
        self.emulator = emulator
        self.session = requests.Session()
        connect_session(self.session, self.url)
        self._tokens: tuple[str, str] | None = None  # (mine, somebody else's), kept across resets

    def close(self) -> None:
        self.session.close()

    def _control(self, path: str, body: dict[str, Any]) -> Any:
        r = self.session.post(self.url + path, json=body)
        r.raise_for_status()
        return r.json()

    def run_cassette(self, path: Path, report: Report) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        self._control("/_emulator/reset", {})
        self._control("/_emulator/quota", {"enabled": False})
        if self._tokens is None:  # a reset keeps accounts and tokens: register them (RSA keys) once
            me = "gspread-test@emulator-project.iam.gserviceaccount.com"
            other = "somebody-else@emulator-project.iam.gserviceaccount.com"
            self._control("/_emulator/accounts", {"email": me})
            self._control("/_emulator/accounts", {"email": other})
            self._tokens = (self._token(me), self._token(other))
        token, other_token = self._tokens
        ids = _Ids()
        for i, it in enumerate(data.get("interactions", [])):
            report.results.append(self._replay(path.name, i, it, ids, token, other_token))

    def _replay(
        self, cassette: str, index: int, it: dict[str, Any], ids: _Ids, token: str, other_token: str
    ) -> Result:
        """Send one recorded request (ids mapped) and compare the response with the recorded one."""
        req = it["request"]
        method, uri = req["method"], req["uri"]
        body_text = _body(req)
        body = _parse(body_text)
        kind = out_of_scope(method, uri, body)
        uri_ids = FILE_ID.findall(unquote(urlsplit(uri).path))
        for fid in uri_ids:
            if fid not in ids.strings and fid in ids.listed:
                kind = kind or "pre-existing account file (found by an out-of-scope listing)"
            elif fid not in ids.strings:
                ids.strings[fid] = self._foreign_spreadsheet(other_token)
            if kind is None and fid in ids.tainted:
                kind = f"after out-of-scope change ({ids.tainted[fid]})"
        resp = self._send(req, uri, body_text, body, ids, token)
        actual = _parse(resp.content)
        expected = _parse(_body(it["response"]))
        exp_status = int(it["response"]["status"]["code"])
        if kind is None or method != "GET":
            self._learn(expected, actual, ids.strings, ids.nums if kind is None else {})
        ids.listed.update(x for x in FILE_ID.findall(json.dumps(expected)) if x not in ids.strings)
        rev = {v: k for k, v in ids.strings.items()}
        rnum = {v: k for k, v in ids.nums.items()}
        actual_n = _norm_times(_swap_ids(actual, rev, rnum))
        expected_n = _norm_times(expected)
        matched = resp.status_code == exp_status and actual_n == expected_n
        if kind is not None and not matched and method != "GET":
            for fid in uri_ids:
                ids.tainted.setdefault(fid, kind)
        in_scope = kind is None
        return Result(
            cassette,
            index,
            method,
            uri,
            in_scope,
            kind,
            matched,
            exp_status,
            resp.status_code,
            expected_n,
            actual_n,
        )

    def _send(
        self, req: dict[str, Any], uri: str, body_text: Any, body: Any, ids: _Ids, token: str
    ) -> requests.Response:
        m_uri = uri
        for rec, emu in sorted(ids.strings.items(), key=lambda kv: -len(kv[0])):
            m_uri = m_uri.replace(rec, emu)
        m_body = _swap_ids(body, ids.strings, ids.nums) if body is not None else None
        send: Any
        if m_body is None:
            send = None if body_text in (None, "") else body_text
        elif isinstance(m_body, str):
            send = m_body.encode()
        else:
            send = json.dumps(m_body).encode()
        headers = {"Authorization": "Bearer " + token}
        ct = (req.get("headers") or {}).get("Content-Type")
        if ct:
            headers["Content-Type"] = ct[0] if isinstance(ct, list) else ct
        return self.session.request(req["method"], m_uri, data=send, headers=headers)

    def _token(self, email: str) -> str:
        if self.emulator is not None:
            return self.emulator.issue_token(email)
        key = self._control("/_emulator/accounts", {"email": email})
        creds = credentials(key)
        creds.refresh(Request(self.session))
        return str(creds.token)

    def _foreign_spreadsheet(self, token: str) -> str:
        r = self.session.post(
            self.url + "/drive/v3/files",
            json={"name": "private", "mimeType": "application/vnd.google-apps.spreadsheet"},
            headers={"Authorization": "Bearer " + token},
        )
        return str(r.json()["id"])

    def _learn(self, expected: Any, actual: Any, ids: dict[str, str], nums: dict[int, int]) -> None:
        if isinstance(expected, dict) and isinstance(actual, dict):
            for k, v in expected.items():
                if k in ID_KEYS and k in actual:
                    a = actual[k]
                    if isinstance(v, str) and isinstance(a, str) and v != a:
                        ids.setdefault(v, a)
                    elif isinstance(v, int) and isinstance(a, int) and v != a:
                        nums.setdefault(v, a)
                else:
                    self._learn(v, actual.get(k), ids, nums)
        elif isinstance(expected, list) and isinstance(actual, list):
            for e, a in zip(expected, actual, strict=False):
                self._learn(e, a, ids, nums)


def _swap_ids(x: Any, strings: dict[str, str], nums: dict[int, int]) -> Any:
    """``x`` with string ids replaced per ``strings`` and numeric sheet/protected-range ids per ``nums``."""
    if isinstance(x, dict):
        return {
            k: nums[v]
            if k in ("sheetId", "protectedRangeId") and isinstance(v, int) and v in nums
            else _swap_ids(v, strings, nums)
            for k, v in x.items()
        }
    if isinstance(x, list):
        return [_swap_ids(v, strings, nums) for v in x]
    if isinstance(x, str):
        for old, new in strings.items():
            x = x.replace(old, new)
    return x


def run(cassette_dir: Path, url: str | None = None) -> Report:
    report = Report()
    emu: Emulator | None = None
    if url is None:
        emu = Emulator().start()
        url = emu.url
    replayer = Replayer(url, emu)
    try:
        for path in sorted(Path(cassette_dir).rglob("*.json")):
            replayer.run_cassette(path, report)
    finally:
        replayer.close()
        if emu is not None:
            emu.stop()
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="conformance")
    ap.add_argument("cassettes", nargs="?", type=Path, default=DEFAULT_CASSETTE_DIR)
    ap.add_argument("--url", default=None, help="emulator URL (default: start one in-process)")
    args = ap.parse_args(argv)
    if not any(Path(args.cassettes).rglob("*.json")):
        print(f"no recordings (*.json) in {args.cassettes}", file=sys.stderr)
        return 2
    report = run(args.cassettes, args.url)
    print(report.summary())
    return 0 if report.matched == len(report.in_scope) else 1


if __name__ == "__main__":
    sys.exit(main())
