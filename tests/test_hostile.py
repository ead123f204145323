"""Broken and hostile unit files (issue 8): each costs its own unit, never the run.

Every hostile file is built here, small on disk: a workbook written with openpyxl whose
worksheet XML is then edited (a cell at row two billion, a date of −2e11, #SPILL!, NaN …),
or a zip that decompresses large. The crash cases also run through the CLI in a child
process under a memory limit (RLIMIT_AS) that a native abort or a runaway grid would breach.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from google_emulator import Emulator
from google_emulator.demo import load_demo_into_emulator
from sync.backends.gsheets.read import grid_from_value_range, spreadsheet_id
from sync.cli import cli
from sync.config import Config, load_config
from sync.engine import run_sync
from sync.exceptions import SourceUnreadable
from sync.limits import Limits
from sync.model import RunResult
from sync.pipeline import sync_and_record
from sync.schema import unit_sheet_schema
from sync.shapes.grid import TabData
from sync.validate import UnitResolver, read_tab
from tests.helpers import AS_OF, as_nobody, task_row, write_config, write_workbook
from tests.memory_backend import MemoryBackend, MemoryStore

Province = Callable[..., Config]
SHEET = "xl/worksheets/sheet1.xml"
#: updated_on as openpyxl writes 20/02/2024 (a date-formatted serial), to be replaced
MARK = "<v>45342</v>"


def edited(path: Path, edit: Callable[[str], str], part: str = SHEET) -> Path:
    """Rewrite one part of a workbook through ``edit`` (the XML as text)."""
    data = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == part:
                body = edit(body.decode("utf-8")).encode("utf-8")
            dst.writestr(info.filename, body)
    path.write_bytes(out.getvalue())
    return path


def hostile(path: Path, edit: Callable[[str], str]) -> Path:
    """A correct one-task workbook (updated_on a date cell) with its sheet XML edited."""
    write_workbook(path, [task_row(updated_on=datetime(2024, 2, 20))])
    return edited(path, edit)


def extra_cell(ref: str, row: int) -> Callable[[str], str]:
    return lambda xml: xml.replace(
        "</sheetData>", f'<row r="{row}"><c r="{ref}"><v>1</v></c></row></sheetData>'
    )


def value(v: str) -> Callable[[str], str]:
    return lambda xml: xml.replace(MARK, f"<v>{v}</v>", 1)


def error_cell(err: str) -> Callable[[str], str]:
    return lambda xml: re.sub(r'<c r="Q5"[^>]*>.*?</c>', f'<c r="Q5" t="e"><v>{err}</v></c>', xml, count=1)


def bomb(path: Path) -> None:
    """A tiny zip whose shared strings decompress to 400 MB."""
    write_workbook(path, [task_row()])
    chunk = b"<si><t>a</t></si>" * 65536
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z,
        z.open("xl/bomb.xml", "w", force_zip64=True) as fh,
    ):
        for _ in range(400 * 2**20 // len(chunk)):
            fh.write(chunk)


def run_with(province: Province, tmp_path: Path, make: Callable[[Path], Any], **limits: int) -> RunResult:
    cfg = province({"SNV": [task_row(task_id="NV-SNV")], "STC": None})
    make(tmp_path / "units" / "STC.xlsx")
    if limits:
        cfg = _with_limits(cfg, **limits)
    return run_sync(cfg, AS_OF)


def _with_limits(cfg: Config, **limits: int) -> Config:
    text = cfg.path.read_text(encoding="utf-8")
    extra = "\n[limits]\n" + "".join(f"{k} = {v}\n" for k, v in limits.items())
    cfg.path.write_text(text.replace("[[units]]", extra + "\n[[units]]", 1), encoding="utf-8")
    return load_config(cfg.path)


def unreadable(result: RunResult) -> str:
    """The one finding of unit STC, unreadable, while SNV stays intact."""
    snv, stc = result.units
    assert snv.report_status == "on_time" and snv.counts["total"] == 1
    assert stc.report_status == "unreadable"
    found = [f for f in result.findings if f.unit == "STC"]
    assert [f.code for f in found] == ["source-unreadable"]
    return found[0].message


def flagged(result: RunResult) -> list[tuple[str, str | None, Any]]:
    """STC readable; its findings as (code, cell, value)."""
    snv, stc = result.units
    assert snv.report_status == "on_time"
    assert stc.report_status != "unreadable" and stc.counts["total"] == 1
    return [(f.code, f.cell, f.value) for f in result.findings if f.unit == "STC"]


# ------------------------------------------------- class 1: native aborts, endless devices


def test_row_index_in_the_billions(province: Province, tmp_path: Path) -> None:
    msg = unreadable(
        run_with(province, tmp_path, lambda p: hostile(p, extra_cell("A2000000000", 2000000000)))
    )
    assert "dòng 2.000.000.000" in msg and "max_cells" in msg and "[limits]" in msg


def test_cell_in_the_last_column_and_row(province: Province, tmp_path: Path) -> None:
    msg = unreadable(run_with(province, tmp_path, lambda p: hostile(p, extra_cell("XFD1048576", 1048576))))
    assert "cột thứ 16.384" in msg and "max_cells" in msg


def test_a_dimension_claiming_the_whole_sheet_is_harmless(province: Province, tmp_path: Path) -> None:
    def claim(xml: str) -> str:
        return re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml)

    assert flagged(run_with(province, tmp_path, lambda p: hostile(p, claim))) == []


def ods(path: Path, repeat: int) -> None:
    """An .ods (saved under an .xlsx name) whose one value cell repeats over ``repeat`` rows and columns."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    cell = (
        '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Nhiệm vụ">'
        f'<table:table-row table:number-rows-repeated="{repeat}">'
        + cell.replace("<table:table-cell ", f'<table:table-cell table:number-columns-repeated="{repeat}" ')
        + "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)


@pytest.mark.parametrize("repeat", [2000, 100_000])
def test_ods_with_a_cell_repeated_over_the_sheet(province: Province, tmp_path: Path, repeat: int) -> None:
    unreadable(run_with(province, tmp_path, lambda p: ods(p, repeat)))


def test_shared_strings_bomb(province: Province, tmp_path: Path) -> None:
    path = tmp_path / "units" / "STC.xlsx"
    msg = unreadable(run_with(province, tmp_path, bomb, max_unpacked_mb=50))
    assert path.stat().st_size < 2 * 2**20
    assert "max_unpacked_mb" in msg and "giải nén" in msg


def test_a_part_that_lies_about_its_size(province: Province, tmp_path: Path) -> None:
    """Its headers declare 1 KB; it decompresses to 64 MB. Checked in fact, not as declared."""

    def liar(p: Path) -> None:
        write_workbook(p, [task_row()])
        with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as z:
            z.writestr("xl/lie.xml", b"<x/>" * (16 * 2**20))
        data = bytearray(p.read_bytes())
        declared = (16 * 2**20 * 4).to_bytes(4, "little")
        for header, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
            at = data.rfind(header)
            assert data[at + offset : at + offset + 4] == declared
            data[at + offset : at + offset + 4] = (1024).to_bytes(4, "little")
        p.write_bytes(bytes(data))

    assert "bị hỏng" in unreadable(run_with(province, tmp_path, liar))


def test_file_size_limit(province: Province, tmp_path: Path) -> None:
    def big(p: Path) -> None:
        write_workbook(p, [task_row()])
        with zipfile.ZipFile(p, "a", zipfile.ZIP_STORED) as z:
            z.writestr("xl/media/image1.png", os.urandom(1_500_000))

    assert "max_file_mb" in unreadable(run_with(province, tmp_path, big, max_file_mb=1))


def test_a_device_named_like_a_workbook(province: Province, tmp_path: Path) -> None:
    start = time.monotonic()
    msg = unreadable(run_with(province, tmp_path, lambda p: p.symlink_to("/dev/zero")))
    assert "là một thiết bị, không phải tệp bảng tính" in msg
    assert time.monotonic() - start < 30


# ------------------------------------------------------------------ class 2: hangs


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_like_a_workbook(province: Province, tmp_path: Path) -> None:
    start = time.monotonic()
    msg = unreadable(run_with(province, tmp_path, lambda p: os.mkfifo(p)))
    assert "là một đường ống (FIFO)" in msg
    assert time.monotonic() - start < 30


def test_long_date_and_unit_list_cells_are_quick(province: Province, tmp_path: Path) -> None:
    lead = ", ".join(f"Phòng số {i}" for i in range(20000))
    row = task_row(doc_date="1" + " " * 200_000 + "/1/2024", co_units=lead, deadline=" " * 200_000)
    cfg = province({"SNV": [task_row()], "STC": [row]})
    start = time.monotonic()
    result = run_sync(cfg, AS_OF)
    assert time.monotonic() - start < 20
    codes = [code for code, _cell, _value in flagged(result)]
    # openpyxl, like Excel, keeps 32,767 characters of a cell: about 2,300 names are checked
    assert "invalid-date" in codes and codes.count("unknown-unit") > 2000


# ---------------------------------------------- class 3: dates outside any calendar


@pytest.mark.parametrize("serial", ["-2e11", "1e300", "INF", "-INF"])
def test_date_cell_outside_any_calendar(province: Province, tmp_path: Path, serial: str) -> None:
    found = flagged(run_with(province, tmp_path, lambda p: hostile(p, value(serial))))
    assert ("invalid-date", "Q5") in [(code, cell) for code, cell, _ in found]


# ------------------------------------------------ class 4: errors that ended the run


def test_symlink_loop(province: Province, tmp_path: Path) -> None:
    msg = unreadable(run_with(province, tmp_path, lambda p: p.symlink_to(p)))
    assert "vòng lặp" in msg


@pytest.mark.skipif(os.name != "posix", reason="folder permissions as POSIX has them")
def test_folder_without_read_permission(tmp_path: Path) -> None:
    root = Path(tempfile.mkdtemp(prefix="ubnd-locked-"))  # reachable by an unprivileged user
    try:
        write_workbook(root / "units" / "SNV.xlsx", [task_row()])
        write_workbook(root / "khoa" / "STC.xlsx", [task_row()])
        config = write_config(
            root, [("SNV", "Sở Nội vụ", "units/SNV.xlsx"), ("STC", "Sở Tài chính", "khoa/STC.xlsx")]
        )
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        assert run_sync(load_config(config), AS_OF).units[1].report_status == "on_time"  # imports all
        (root / "khoa").chmod(0)
        assert as_nobody(lambda: run_sync(load_config(config), AS_OF).units[1].report_status) == "unreadable"
    finally:
        (root / "khoa").chmod(0o755)
        shutil.rmtree(root)


def test_nan_and_infinity_reach_the_summary_as_text(province: Province, tmp_path: Path) -> None:
    def nan_cells(xml: str) -> str:
        xml = value("NaN")(xml)
        return re.sub(r'(<c r="A5"[^>]*>)<v>[^<]*</v>', r"\1<v>Infinity</v>", xml, count=1)

    cfg = province({"SNV": [task_row()], "STC": None})
    hostile(tmp_path / "units" / "STC.xlsx", nan_cells)
    result = CliRunner().invoke(cli, ["sync", "-c", str(cfg.path), "--as-of", "2024-03-05", "--quiet"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "tong-hop.xlsx").exists()


def test_as_of_outside_the_calendar_is_a_usage_error(province: Province) -> None:
    cfg = province({"SNV": [task_row()]})
    result = CliRunner().invoke(cli, ["sync", "-c", str(cfg.path), "--as-of", "0001-01-01", "--quiet"])
    assert result.exit_code == 2
    assert "phải trong các năm 2000–2100" in result.output


# -------------------------------------------- class 5: readable workbooks, not corrupt


@pytest.mark.parametrize(
    "err", ["#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#PYTHON!"]
)
def test_error_values_of_current_excel(province: Province, tmp_path: Path, err: str) -> None:
    found = flagged(run_with(province, tmp_path, lambda p: hostile(p, error_cell(err))))
    assert ("stale-update", "Q5", None) in found  # the error cell reads as empty


def test_a_duration_cell(province: Province, tmp_path: Path) -> None:
    def duration(p: Path) -> None:
        write_workbook(p, [task_row()])
        import openpyxl

        wb = openpyxl.load_workbook(p)
        ws = wb.active
        assert ws is not None
        ws["Q5"].value = 1.5
        ws["Q5"].number_format = "[h]:mm:ss"
        wb.save(p)

    found = flagged(run_with(province, tmp_path, duration))
    assert ("invalid-date", "Q5") in [(code, cell) for code, cell, _ in found]


# ----------------------------------------------------------- limits on cells and time


def test_a_text_longer_than_the_limit_is_cut(province: Province, tmp_path: Path) -> None:
    cfg = province({"SNV": [task_row()], "STC": [task_row(progress="Đã họp. " * 2500)]})
    result = run_sync(_with_limits(cfg, max_text_chars=1000), AS_OF)
    found = [f for f in result.findings if f.code == "text-too-long"]
    assert [(f.unit, f.cell, f.severity) for f in found] == [("STC", "L5", "warning")]
    assert "19.999 ký tự" in found[0].message and "max_text_chars" in found[0].message
    assert len(result.units[1].tasks[0].values["progress"]) == 1000


def test_time_limit_per_unit() -> None:
    schema = unit_sheet_schema()
    header = [f.title for f in schema.fields]
    rows = [header] + [["1", f"NV-{i}"] + [""] * (len(header) - 2) for i in range(3000)]
    from sync.exceptions import SourceUnreadable

    with pytest.raises(SourceUnreadable, match="max_seconds"):
        read_tab(
            TabData("Nhiệm vụ", rows),
            schema,
            unit="STC",
            resolver=UnitResolver([]),
            as_of=AS_OF,
            deadline=time.monotonic() - 1,
        )


# --------------------------------------------- the Google path: what the API hands over


def grid_backend(cfg: Config, grids: dict[str, list[list[Any]]]) -> MemoryBackend:
    """Units' sheets as grids in memory, as the Sheets API would hand them over (by unit code)."""
    return MemoryBackend(
        cfg, MemoryStore.of_grids({cfg.unit(code).source: rows for code, rows in grids.items()})
    )


def _grid(*cells: Any) -> list[list[Any]]:
    schema = unit_sheet_schema()
    header = [f.title for f in schema.fields]
    good = [task_row()[f.name] or "" for f in schema.fields]
    return [header, good[: len(good) - len(cells)] + list(cells)]


def test_google_values_of_unexpected_types(province: Province) -> None:
    cfg = province({"SNV": None, "STC": None})
    odd: list[Any] = [{"a": 1}, ["x"], float("nan"), float("inf"), b"\x00", None]
    grids = {"SNV": _grid(), "STC": _grid(*odd)}
    result = run_sync(cfg, AS_OF, backend=grid_backend(cfg, grids))
    assert result.units[0].report_status == "on_time"
    assert result.units[1].report_status != "unreadable"
    task = result.units[1].tasks[0].values
    assert (task["progress"], task["result_doc"], task["obstacles"]) == ("{'a': 1}", "NaN", "Infinity")


def test_google_enormous_range_costs_its_unit(province: Province) -> None:
    cfg = _with_limits(province({"SNV": None, "STC": None}), max_cells=10_000)
    wide = _grid()
    wide += [["x"] * 17 for _ in range(1000)]
    result = run_sync(cfg, AS_OF, backend=grid_backend(cfg, {"SNV": _grid(), "STC": wide}))
    assert [u.report_status for u in result.units][1] == "unreadable"
    assert "max_cells" in result.findings[-1].message


# ----------------------------------------------- findings grow linearly with the data


def _shared_province(tmp_path: Path, units: int) -> Config:
    write_workbook(tmp_path / "units" / "chung.xlsx", [task_row(task_id=f"NV-{i}") for i in range(20)])
    entries = [(f"U{i:03d}", f"Đơn vị {i}", "units/chung.xlsx") for i in range(units)]
    return load_config(write_config(tmp_path, entries))


def test_units_sharing_one_workbook_cost_linear_time_and_findings(tmp_path: Path) -> None:
    def measure(n: int) -> tuple[float, int, int]:
        cfg = _shared_province(tmp_path / str(n), n)
        start = time.perf_counter()
        result = run_sync(cfg, AS_OF)
        dup = [f for f in result.findings if f.code == "duplicate-task-id"]
        return time.perf_counter() - start, len(dup), max(len(f.message) for f in dup)

    t30, n30, longest30 = measure(30)
    t300, n300, longest300 = measure(300)
    assert (n30, n300) == (30 * 20, 300 * 20)
    assert longest300 <= longest30 + 10  # “và 297 nơi khác”, never the 299 others
    assert t300 < 25 * t30 + 1.0  # linear is 10x; quadratic was 100x


# ---------------------------------------------- the whole run under a memory limit


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS as Linux applies it")
def test_hostile_province_under_a_memory_limit(tmp_path: Path) -> None:
    """Every crash-class file in one province, synced by the CLI in a child process limited to
    1.5 GiB of address space: a native abort (exit -6) or a runaway grid would breach it."""
    units = tmp_path / "units"
    write_workbook(units / "OK.xlsx", [task_row()])
    hostile(units / "ROW.xlsx", extra_cell("A2000000000", 2000000000))
    hostile(units / "XFD.xlsx", extra_cell("XFD1048576", 1048576))
    hostile(units / "NEG.xlsx", value("-2e11"))
    hostile(units / "NAN.xlsx", value("NaN"))
    hostile(units / "ERR.xlsx", error_cell("#SPILL!"))
    bomb(units / "BOMB.xlsx")
    os.mkfifo(units / "FIFO.xlsx")
    (units / "DEV.xlsx").symlink_to("/dev/zero")
    (units / "LOOP.xlsx").symlink_to(units / "LOOP.xlsx")
    codes = ["OK", "ROW", "XFD", "NEG", "NAN", "ERR", "BOMB", "FIFO", "DEV", "LOOP"]
    config = write_config(tmp_path, [(c, f"Đơn vị {c}", f"units/{c}.xlsx") for c in codes])
    limit = 1536 * 2**20
    code = (
        f"import resource, sys; resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit})); "
        "from sync.cli import main; sys.argv = ['ubnd-sync'] + sys.argv[1:]; main()"
    )
    proc = subprocess.run(
        # 6 of 10 units unreadable is more than half: written only on request (--allow-unreadable)
        [sys.executable, "-c", code, "sync", "-c", str(config), "--as-of", "2024-03-05", "--json", "--quiet"]
        + ["--allow-unreadable"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 3, proc.stderr[-2000:]
    import json

    doc = json.loads(proc.stdout)
    status = {u["code"]: u["report_status"] for u in doc["units"]}
    assert status["OK"] == "on_time"
    assert {c for c, s in status.items() if s == "unreadable"} == {
        "ROW",
        "XFD",
        "BOMB",
        "FIFO",
        "DEV",
        "LOOP",
    }
    assert (tmp_path / "out" / "tong-hop.xlsx").exists()


def test_limits_section_is_checked(tmp_path: Path) -> None:
    from sync.exceptions import ConfigError

    path = write_config(tmp_path, [("A", "A", "a.xlsx")], extra="[limits]\nmax_cells = 5\n")
    text = path.read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match="max_cells"):
        load_config(path)
    path.write_text(text.replace("max_cells = 5", "max_cells = 5000"), encoding="utf-8")
    assert load_config(path).limits == Limits(max_cells=5000)
    assert date(2024, 3, 5) == AS_OF


# ------------------------------------- hostile answers from Google, through the real parser


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ({"range": "'Nhiệm vụ'!A2000000000", "values": [["x"]]}, "có 2.000.000.000 ô"),
        ({"range": "'Nhiệm vụ'!XFDXFDXFD1:Z9", "values": [["x"]]}, "max_cells"),
        ({"range": "'Nhiệm vụ'!A" + "9" * 5000, "values": [["x"]]}, "max_cells"),
        ({"range": "'Nhiệm vụ'!A1", "values": [["x"]] * 2_000_001}, "có 2.000.001 ô"),
        ({"range": "'Nhiệm vụ'!A1", "values": {"a": [1]}}, "không đúng dạng cho trang “Nhiệm vụ”"),
        ({"range": "'Nhiệm vụ'!A1", "values": [["a"], 7]}, "các dòng không phải danh sách ô"),
        ({"range": "'Nhiệm vụ'!A1", "values": "abc"}, "các dòng không phải danh sách ô"),
        (["not", "a", "range"], "Google trả về dữ liệu không đúng dạng cho bảng tính (một list"),
    ],
)
def test_a_hostile_google_range_is_refused_before_it_is_built(answer: Any, said: str) -> None:
    started = time.perf_counter()
    with pytest.raises(SourceUnreadable) as e:
        grid_from_value_range(answer)
    assert time.perf_counter() - started < 2.0
    assert said in str(e.value)


def test_google_cells_of_unexpected_json_types_are_kept() -> None:
    odd = [{"a": [1, None]}, [[]], 10**300, -1e308, True, False, None, "x"]
    title, rows = grid_from_value_range({"range": "'Nhiệm vụ'!B2:I2", "values": [odd]})
    assert title == "Nhiệm vụ"
    assert rows == [[""] * 9, ["", *odd[:6], "", "x"]]


class _Rewriter(BaseHTTPRequestHandler):
    """A real HTTP hop in front of the emulator that rewrites one spreadsheet's values answers."""

    server: _Hop

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        upstream = http.client.HTTPConnection(*self.server.upstream, timeout=60)
        skip = ("host", "connection", "accept-encoding", "content-length")
        headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
        upstream.request(self.command, self.path, body or None, headers)
        answer = upstream.getresponse()
        data = answer.read()
        if self.server.target in self.path and "values:batchGet" in self.path and answer.status == 200:
            payload = json.loads(data)
            payload["valueRanges"] = [self.server.rewrite(vr) for vr in payload["valueRanges"]]
            data = json.dumps(payload).encode()
        upstream.close()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

    def log_message(self, *_: Any) -> None:
        pass


class _Hop(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str, target: str, rewrite: Callable[[Any], Any]):
        super().__init__(("127.0.0.1", 0), _Rewriter)
        url = urllib.parse.urlsplit(upstream)
        self.upstream = (url.hostname, url.port)
        self.target, self.rewrite = target, rewrite


def _huge_start(vr: dict[str, Any]) -> dict[str, Any]:
    return {**vr, "range": "'Nhiệm vụ'!A2000000000"}


def _odd_cells(vr: dict[str, Any]) -> dict[str, Any]:
    """The task's free-text cells (progress, result document, obstacles) as odd JSON values."""
    header = next(row for row in vr["values"] if "Mã nhiệm vụ" in row)
    task = next(row for row in vr["values"] if "NV-9" in row)
    task.extend([None] * (len(header) - len(task)))
    odd = {
        "Kết quả thực hiện": {"a": [1, None]},
        "Văn bản báo cáo kết quả": 10**300,
        "Khó khăn, vướng mắc, đề xuất": True,
    }
    for title, value in odd.items():
        task[header.index(title)] = value
    return vr


def _many_rows(vr: dict[str, Any]) -> dict[str, Any]:
    return {**vr, "values": vr["values"] + [["x"] * 17] * 2000}


@pytest.mark.parametrize(
    ("rewrite", "status", "said"),
    [
        (_huge_start, "unreadable", "vượt giới hạn: có 34.000.000.0"),
        (_many_rows, "unreadable", "khóa “max_cells”"),
        (lambda vr: 5, "unreadable", "Google trả về dữ liệu không đúng dạng"),
        (_odd_cells, "on_time", None),
    ],
)
def test_hostile_google_answers_cost_their_unit_end_to_end(
    province: Province, emu: Emulator, rewrite: Callable[[Any], Any], status: str, said: str | None
) -> None:
    xcfg = province({"SNV": [task_row()], "STC": [task_row(task_id="NV-9")]})
    gpath = load_demo_into_emulator(xcfg.base_dir, xcfg.path, emu)
    target = spreadsheet_id(load_config(gpath).unit("STC").source)
    with _Hop(emu.url, target, rewrite) as hop:
        threading.Thread(target=hop.serve_forever, daemon=True).start()
        try:
            text = gpath.read_text(encoding="utf-8").replace(emu.url, f"http://127.0.0.1:{hop.server_port}")
            text = text.replace(
                "[gsheets]\n", '[gsheets]\nread = "values"\n'
            )  # the answers rewritten are values
            gpath.write_text(text + "\n[limits]\nmax_cells = 10000\n", encoding="utf-8")
            outcome = sync_and_record(load_config(gpath), AS_OF)
        finally:
            hop.shutdown()
    assert [u.report_status for u in outcome.result.units] == ["on_time", status]
    stc = [f for f in outcome.result.findings if f.unit == "STC" and f.code == "source-unreadable"]
    assert [said in f.message for f in stc] == ([True] if said else [])
    assert outcome.summary and outcome.recorded is not None
    if status == "on_time":
        task = outcome.result.units[1].tasks[0].values
        assert (task["progress"], task["result_doc"], task["obstacles"]) == (
            "{'a': [1, None]}",  # as any cell text: kept, shown, never a crash
            "1" + "0" * 300,
            "TRUE",
        )
