"""``ubnd-sync init`` on the xlsx backend (sync.backends.xlsx.create, config_write, province, cli_init).

One An Giang province (118 units, the real list) is made once per module and checked from every
side: files, config, validate and sync on it, a re-run, openpyxl, and LibreOffice.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from click.testing import CliRunner

from sync.backends.xlsx.create import LISTS_TAB, REGISTER_FILE
from sync.cli import cli
from sync.config import load_config
from sync.schema import register_schema, unit_sheet_schema
from sync.setup.units_csv import read_units_csv
from sync.shapes.layout import DATE_FORMAT, PREPARED_ROWS, columns
from tests.helpers import as_nobody, resolved, summary_file
from tests.test_libreoffice import convert

ROOT = Path(__file__).resolve().parent.parent
AN_GIANG = ROOT / "sync" / "data" / "an-giang-2025-units.csv"
AS_OF = "05/11/2025"


def _init(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["init", *args])
    return result.exit_code, result.stdout, result.stderr


def _files(directory: Path) -> dict[str, tuple[int, str]]:
    """Every file under ``directory`` (hidden ones too): mtime and content hash."""
    return {
        str(p.relative_to(directory)): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The An Giang province made by ``init``, and what the command printed."""
    directory = tmp_path_factory.mktemp("an-giang")
    code, out, err = _init("--units", str(AN_GIANG), "--dir", str(directory))
    assert code == 0, err
    return directory, out


def test_init_makes_every_file(province: tuple[Path, str]) -> None:
    directory, out = province
    units = read_units_csv(AN_GIANG)
    made = sorted(p.name for p in (directory / "don-vi").iterdir())
    assert made == sorted(f"{u.code}.xlsx" for u in units)
    assert sorted(p.name for p in directory.iterdir()) == [
        "danh-muc-nhiem-vu.xlsx",
        "don-vi",
        "ubnd-sync.toml",
    ]
    assert "Đã tạo mới (120):" in out
    assert "  - Danh mục nhiệm vụ: danh-muc-nhiem-vu.xlsx\n" in out
    assert "  - Bảng của đơn vị SNV (Sở Nội vụ): don-vi/SNV.xlsx\n" in out
    assert "Đã có sẵn" not in out
    # no address in the list: every unit is listed, by code
    assert "Đơn vị chưa có địa chỉ e-mail (118):\n  VPUB, SNV, STP," in out
    assert "là việc của Văn phòng" in out
    config = directory / "ubnd-sync.toml"  # outside the folder the command ran in: in full
    assert f"ubnd-sync distribute -c {config}\n" in out and f"ubnd-sync sync -c {config}\n" in out


def test_the_next_steps_name_the_config_as_typed_from_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    units = tmp_path / "don-vi.csv"
    units.write_text("code,name\nSNV,Sở Nội vụ\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = _init("--units", "don-vi.csv", "--dir", "tỉnh An Giang")
    assert code == 0, err
    assert 'ubnd-sync distribute -c "tỉnh An Giang/ubnd-sync.toml"\n' in out


def test_the_config_loads_and_matches_the_list(province: tuple[Path, str]) -> None:
    directory, _ = province
    text = (directory / "ubnd-sync.toml").read_text(encoding="utf-8")
    assert text.startswith("# Cấu hình ubnd-sync của tỉnh, do “ubnd-sync init” tạo")
    config = load_config(directory / "ubnd-sync.toml")
    units = read_units_csv(AN_GIANG)
    assert [(u.code, u.name, u.kind, u.aliases) for u in config.units] == [
        (u.code, u.name, u.kind, u.aliases) for u in units
    ]
    assert config.unit("SNV").source == "don-vi/SNV.xlsx"  # relative: the folder can move
    assert config.sync.backend == "xlsx" and config.sync.cutoff_day == 25 and config.sync.sheet == "Nhiệm vụ"
    assert config.register.source == REGISTER_FILE
    assert summary_file(config) == str(directory / "out" / "tong-hop.xlsx")


def test_validate_and_sync_on_the_fresh_province(province: tuple[Path, str], tmp_path: Path) -> None:
    """Empty sheets and an empty register: no finding at all, every unit without a task (0 tasks)."""
    directory, _ = province
    config = str(directory / "ubnd-sync.toml")
    result = CliRunner().invoke(cli, ["validate", "-c", config, "--as-of", AS_OF, "--json"])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["findings"] == []
    assert len(doc["units"]) == 118
    assert {u["report_status"] for u in doc["units"]} == {"no_tasks"}  # contract §3: neither on time nor late
    assert doc["totals"]["counts"]["total"] == 0
    result = CliRunner().invoke(cli, ["sync", "-c", config, "--as-of", AS_OF, "--quiet"])
    assert result.exit_code == 0, result.stderr
    assert (directory / "out" / "tong-hop.xlsx").is_file()
    assert "Phát hiện: 0 lỗi, 0 cảnh báo, 0 thông tin" in result.stdout


def test_init_twice_leaves_one_of_everything(tmp_path: Path) -> None:
    csv = tmp_path / "don-vi.csv"
    csv.write_text(
        "code,name,kind,emails\nSNV,Sở Nội vụ,so-nganh,vt@snv.gov.vn\nX-A,UBND xã A,xa,\n", "utf-8"
    )
    directory = tmp_path / "tinh"
    code, out, _ = _init("--units", str(csv), "--dir", str(directory))
    assert code == 0
    assert "Đã tạo mới (4):" in out
    assert "Đơn vị chưa có địa chỉ e-mail (1):\n  X-A\n" in out
    before = _files(directory)
    assert sorted(before) == [
        "danh-muc-nhiem-vu.xlsx",
        "don-vi/SNV.xlsx",
        "don-vi/X-A.xlsx",
        "ubnd-sync.toml",
    ]
    time.sleep(0.02)  # a rewrite would show in the mtimes
    code, out, _ = _init("--units", str(csv), "--dir", str(directory))
    assert code == 0
    assert "Đã tạo mới" not in out
    assert "Đã có sẵn, giữ nguyên (không ghi đè, không sửa) (4):" in out
    assert "  - Bảng của đơn vị SNV (Sở Nội vụ): don-vi/SNV.xlsx\n" in out
    assert "  - Tệp cấu hình: ubnd-sync.toml\n" in out
    assert "khác với" not in out
    assert _files(directory) == before
    config = load_config(directory / "ubnd-sync.toml")
    assert config.unit("SNV").emails == ("vt@snv.gov.vn",)
    assert config.unit("X-A").emails == ()


def test_a_changed_list_never_rewrites_the_config(tmp_path: Path) -> None:
    directory = tmp_path / "tinh"
    csv = tmp_path / "don-vi.csv"
    csv.write_text("code,name\nSNV,Sở Nội vụ\n", "utf-8")
    assert _init("--units", str(csv), "--dir", str(directory))[0] == 0
    config_before = (directory / "ubnd-sync.toml").read_bytes()
    csv.write_text("code,name,kind\nSNV,Sở Nội vụ,so-nganh\nSTP,Sở Tư pháp,so-nganh\n", "utf-8")
    code, out, _ = _init("--units", str(csv), "--dir", str(directory), "--cutoff-day", "20")
    assert code == 0
    assert "  - Bảng của đơn vị STP (Sở Tư pháp): don-vi/STP.xlsx\n" in out  # the new unit's book is made
    assert "Tệp cấu hình ubnd-sync.toml đã có từ trước nên được giữ nguyên" in out
    assert "  - [sync] cutoff_day: đang là 25, init sẽ ghi 20\n" in out
    assert "  - đơn vị có trong danh sách nhưng chưa có trong cấu hình (1): STP\n" in out
    assert (directory / "ubnd-sync.toml").read_bytes() == config_before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "code,name\nSNV,Sở Nội vụ\nSNV,Sở khác\n",
            "don-vi.csv, dòng 3: mã đơn vị “SNV” bị trùng (đã có ở dòng 2)",
        ),
        (
            "code,name,kind\nSNV,Sở Nội vụ,tinh\n",
            "don-vi.csv, dòng 2: loại đơn vị (cột “kind”) của SNV là “tinh”",
        ),
        ("ma,ten\nSNV,Sở Nội vụ\n", "don-vi.csv, dòng 1: cột “ma” không được hỗ trợ"),
    ],
)
def test_a_bad_list_is_exit_2_and_makes_nothing(tmp_path: Path, text: str, message: str) -> None:
    csv = tmp_path / "don-vi.csv"
    csv.write_text(text, "utf-8")
    directory = tmp_path / "tinh"
    code, out, err = _init("--units", str(csv), "--dir", str(directory))
    assert code == 2
    assert err.startswith("Lỗi: ") and message in err
    assert "Traceback" not in err + out
    assert not directory.exists()


def test_killed_half_way_then_resumed(tmp_path: Path) -> None:
    """SIGKILL once some unit files exist; the files made are whole, and a new run makes the rest."""
    directory = tmp_path / "tinh"
    units_dir = directory / "don-vi"
    child = subprocess.Popen(
        [sys.executable, "-m", "sync", "init", "--units", str(AN_GIANG), "--dir", str(directory), "-q"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None:
            if units_dir.is_dir() and len(list(units_dir.glob("*.xlsx"))) >= 10:
                break
            time.sleep(0.005)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL
    made = sorted(units_dir.glob("*.xlsx"))
    assert 10 <= len(made) < 118
    assert not (directory / "ubnd-sync.toml").exists()  # the config is written last
    for path in made:  # every file there is whole: atomic writes
        assert openpyxl.load_workbook(path, read_only=True).sheetnames == ["Nhiệm vụ", "Hướng dẫn"]
    first = {p.name: p.stat().st_mtime_ns for p in made}

    code, out, _ = _init("--units", str(AN_GIANG), "--dir", str(directory))
    assert code == 0
    assert f"Đã có sẵn, giữ nguyên (không ghi đè, không sửa) ({len(made) + 1}):" in out
    assert f"Đã tạo mới ({118 - len(made) + 1}):" in out
    everything = sorted(p.name for p in units_dir.iterdir())  # hidden leftovers of the kill too
    assert everything == sorted(f"{u.code}.xlsx" for u in read_units_csv(AN_GIANG))
    assert {p: units_dir.joinpath(p).stat().st_mtime_ns for p in first} == first
    assert len(load_config(directory / "ubnd-sync.toml").units) == 118


def test_an_unwritable_folder_stops_with_a_message_then_resumes() -> None:
    root = Path(tempfile.mkdtemp(prefix="ubnd-init-"))  # reachable by an unprivileged user
    try:
        csv = root / "don-vi.csv"
        csv.write_text("code,name\nSNV,Sở Nội vụ\nSTP,Sở Tư pháp\n", "utf-8")
        directory = root / "tinh"
        (directory / "don-vi").mkdir(parents=True)
        for p in (root, directory):
            p.chmod(0o777)
        csv.chmod(0o644)
        (directory / "don-vi").chmod(0o555)  # nobody can write the units' files

        def run() -> str:
            result = CliRunner().invoke(cli, ["init", "--units", str(csv), "--dir", str(directory)])
            return json.dumps([result.exit_code, result.stderr])

        read_units_csv(csv)  # the child cannot import what it needs (the utf-8-sig codec): done here
        code, err = json.loads(as_nobody(run))
        assert code == 1, err
        assert err.startswith("Lỗi: không ghi được Bảng của đơn vị SNV (Sở Nội vụ) vào ")
        assert "không có quyền truy cập" in err and "chạy lại “ubnd-sync init”" in err
        assert (directory / REGISTER_FILE).is_file()  # made before the stop, and kept
        assert not (directory / "ubnd-sync.toml").exists()
        (directory / "don-vi").chmod(0o755)
        code, out, _ = _init("--units", str(csv), "--dir", str(directory))
        assert code == 0
        assert "Đã có sẵn, giữ nguyên (không ghi đè, không sửa) (1):\n  - Danh mục nhiệm vụ" in out
        assert "Đã tạo mới (3):" in out
    finally:
        shutil.rmtree(root)


# ---------------------------------------------------------------- the workbooks, through openpyxl


def test_unit_workbook_through_openpyxl(province: tuple[Path, str]) -> None:
    directory, _ = province
    wb = openpyxl.load_workbook(directory / "don-vi" / "SNV.xlsx")
    assert wb.sheetnames == ["Nhiệm vụ", "Hướng dẫn"]
    ws = wb["Nhiệm vụ"]
    cols = columns(unit_sheet_schema())
    assert [c.value for c in ws[1]] == [c.field.title for c in cols]
    assert ws.freeze_panes == "A2"
    assert all(c.font.b for c in ws[1])
    assert ws.protection.sheet and not ws.protection.password
    last = 1 + PREPARED_ROWS
    for col in cols:
        assert ws.column_dimensions[col.letter].width == col.width
        assert ws[f"{col.letter}1"].protection.locked  # the header is the Office's
        for row in (2, last):
            cell = ws[f"{col.letter}{row}"]
            assert cell.protection.locked == col.office, cell.coordinate
            if col.is_date:
                assert cell.number_format == DATE_FORMAT
        grey = ws[f"{col.letter}1"].fill.fgColor.rgb
        assert (grey == "00D9D9D9") == col.office
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    status = rules[f"K2:K{last}"]
    assert status.type == "list" and status.formula1 == '"Đã hoàn thành,Đang thực hiện,Chưa thực hiện"'
    updated = rules[f"Q2:Q{last}"]
    assert (updated.type, updated.operator, updated.formula1, updated.formula2) == (
        "date",
        "between",
        "36526",
        "73415",
    )
    assert "dd/mm/yyyy" in updated.error
    assert '"Thường xuyên"' in rules[f"I2:I{last}"].formula1
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    guide = wb["Hướng dẫn"]
    assert guide["A1"].value == "HƯỚNG DẪN CẬP NHẬT BẢNG THEO DÕI NHIỆM VỤ — Sở Nội vụ"
    assert guide.protection.sheet


def test_register_through_openpyxl(province: tuple[Path, str]) -> None:
    directory, _ = province
    wb = openpyxl.load_workbook(directory / REGISTER_FILE)
    assert wb.sheetnames == ["Danh mục nhiệm vụ", LISTS_TAB]
    ws = wb["Danh mục nhiệm vụ"]
    cols = columns(register_schema())
    assert [c.value for c in ws[1]] == [c.field.title for c in cols]
    assert not ws.protection.sheet
    names = wb[LISTS_TAB]
    assert names.sheet_state == "hidden"
    units = read_units_csv(AN_GIANG)
    assert [names.cell(row=i + 2, column=1).value for i in range(len(units))] == [u.name for u in units]
    lead = next(c for c in cols if c.field.name == "lead_unit")
    rule = next(dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith(lead.letter))
    assert rule.type == "list" and rule.formula1 == f"'{LISTS_TAB}'!$A$2:$A${len(units) + 1}"


# ---------------------------------------------------------------- the workbooks, through LibreOffice

NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "number": "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
}


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _expand(elements: list[ET.Element], repeat: str) -> list[ET.Element]:
    out: list[ET.Element] = []
    for e in elements:
        out.extend([e] * min(int(e.get(_q(repeat), "1")), 64))
    return out


def test_libreoffice_opens_the_unit_workbook_protected_with_dropdowns(
    province: tuple[Path, str], tmp_path: Path
) -> None:
    directory, _ = province
    ods = convert(directory / "don-vi" / "SNV.xlsx", "ods", tmp_path / "ods", tmp_path)
    with zipfile.ZipFile(ods) as z:
        content = ET.fromstring(z.read("content.xml"))
        styles = ET.fromstring(z.read("styles.xml"))
    # cell styles and date styles, from both parts
    cell_protect: dict[str, str] = {}
    data_style: dict[str, str] = {}
    date_patterns: dict[str, str] = {}
    for root in (styles, content):
        for st in root.iter(_q("style:style")):
            name = st.get(_q("style:name"), "")
            props = st.find(_q("style:table-cell-properties"))
            if props is not None and props.get(_q("style:cell-protect")):
                cell_protect[name] = props.get(_q("style:cell-protect"), "")
            if st.get(_q("style:data-style-name")):
                data_style[name] = st.get(_q("style:data-style-name"), "")
        for ds in root.iter(_q("number:date-style")):
            parts = []
            for part in ds:
                tag = part.tag.split("}")[1]
                parts.append(
                    part.text or "" if tag == "text" else f"{tag}:{part.get(_q('number:style'), 'short')}"
                )
            date_patterns[ds.get(_q("style:name"), "")] = "".join(parts)
    (table,) = [t for t in content.iter(_q("table:table")) if t.get(_q("table:name")) == "Nhiệm vụ"]
    assert table.get(_q("table:protected")) == "true"
    column_style = [
        c.get(_q("table:default-cell-style-name"), "Default")
        for c in _expand(list(table.iter(_q("table:table-column"))), "table:number-columns-repeated")
    ]
    rows = list(table.iter(_q("table:table-row")))
    header = _expand(list(rows[0]), "table:number-columns-repeated")
    first = _expand(list(rows[1]), "table:number-columns-repeated")
    cols = columns(unit_sheet_schema())

    def protected(cell: ET.Element, index: int) -> bool:
        style = cell.get(_q("table:style-name")) or column_style[index]
        return cell_protect.get(style, "protected") != "none"

    def display(cell: ET.Element, index: int) -> str:
        style = cell.get(_q("table:style-name")) or column_style[index]
        return date_patterns.get(data_style.get(style, ""), "")

    validations = {
        v.get(_q("table:name")): v.get(_q("table:condition"), "")
        for v in content.iter(_q("table:content-validation"))
    }
    for col in cols:
        assert protected(header[col.index], col.index), col.field.title
        assert protected(first[col.index], col.index) == col.office, col.field.title
        if col.is_date:
            assert display(first[col.index], col.index) == "day:long/month:long/year:long", col.field.title
    status = next(c for c in cols if c.field.name == "status")
    rule = validations[first[status.index].get(_q("table:content-validation-name"))]
    assert re.search('cell-content-is-in-list\\("Đã hoàn thành";"Đang thực hiện";"Chưa thực hiện"\\)', rule)
    updated = next(c for c in cols if c.field.name == "updated_on")
    rule = validations[first[updated.index].get(_q("table:content-validation-name"))]
    assert "cell-content-is-date()" in rule and "cell-content-is-between(36526,73415)" in rule


def test_gsheets_without_a_key_is_exit_2_and_makes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    csv = tmp_path / "don-vi.csv"
    csv.write_text("code,name\nSNV,Sở Nội vụ\n", "utf-8")
    directory = tmp_path / "tinh"
    code, _, err = _init("--units", str(csv), "--dir", str(directory), "--backend", "gsheets")
    assert code == 2
    assert err.startswith("Lỗi: ") and "chưa chỉ ra khóa tài khoản dịch vụ Google" in err
    assert not directory.exists()
    code, _, err = _init(
        "--units", str(csv), "--dir", str(directory), "--backend", "gsheets", "--credentials", str(csv)
    )
    assert code == 2 and f"tệp khóa tài khoản dịch vụ {csv} không phải tệp JSON hợp lệ" in err
    assert not directory.exists()


def test_libreoffice_opens_the_register_with_the_unit_dropdown(
    province: tuple[Path, str], tmp_path: Path
) -> None:
    directory, _ = province
    ods = convert(directory / REGISTER_FILE, "ods", tmp_path / "ods", tmp_path)
    with zipfile.ZipFile(ods) as z:
        content = ET.fromstring(z.read("content.xml"))
    shown = {
        st.get(_q("style:name")): props.get(_q("table:display"))
        for st in content.iter(_q("style:style"))
        if (props := st.find(_q("style:table-properties"))) is not None
    }
    tables = {t.get(_q("table:name")): t for t in content.iter(_q("table:table"))}
    assert list(tables) == ["Danh mục nhiệm vụ", LISTS_TAB]
    assert shown[tables[LISTS_TAB].get(_q("table:style-name"))] == "false"  # hidden
    register = tables["Danh mục nhiệm vụ"]
    assert register.get(_q("table:protected")) is None  # the Office's own: not protected
    validations = {
        v.get(_q("table:name")): v.get(_q("table:condition"), "")
        for v in content.iter(_q("table:content-validation"))
    }
    rows = list(register.iter(_q("table:table-row")))
    first = _expand(list(rows[1]), "table:number-columns-repeated")
    lead = next(c for c in columns(register_schema()) if c.field.name == "lead_unit")
    rule = validations[first[lead.index].get(_q("table:content-validation-name"))]
    assert rule == f"of:cell-content-is-in-list([$'{LISTS_TAB}'.$A$2:.$A$119])"


def test_a_file_where_the_units_folder_goes_is_exit_1(tmp_path: Path) -> None:
    csv = tmp_path / "don-vi.csv"
    csv.write_text("code,name\nSNV,Sở Nội vụ\n", "utf-8")
    directory = tmp_path / "tinh"
    directory.mkdir()
    (directory / "don-vi").write_bytes(b"not a folder")
    code, out, err = _init("--units", str(csv), "--dir", str(directory))
    assert code == 1
    assert err.startswith("Lỗi: không ghi được Bảng của đơn vị SNV (Sở Nội vụ) vào ")
    assert "một phần của đường dẫn không phải thư mục" in err
    assert (directory / "don-vi").read_bytes() == b"not a folder"
    assert not (directory / "ubnd-sync.toml").exists()


def test_a_killed_runs_temporary_files_are_removed(tmp_path: Path) -> None:
    """Killed just after a file was put in place, or while writing one: a new run tidies both."""
    csv = tmp_path / "don-vi.csv"
    csv.write_text("code,name\nSNV,Sở Nội vụ\nSTP,Sở Tư pháp\n", "utf-8")
    directory = tmp_path / "tinh"
    assert _init("--units", str(csv), "--dir", str(directory))[0] == 0
    (directory / "don-vi" / "STP.xlsx").unlink()
    (directory / "don-vi" / ".SNV.xlsx.k1ll3d.tmp").write_bytes(b"whole, linked, not yet removed")
    (directory / "don-vi" / ".STP.xlsx.k1ll3d.tmp").write_bytes(b"half writ")
    before = (directory / "don-vi" / "SNV.xlsx").read_bytes()
    code, out, _ = _init("--units", str(csv), "--dir", str(directory))
    assert code == 0 and "Đã tạo mới (1):\n  - Bảng của đơn vị STP (Sở Tư pháp): don-vi/STP.xlsx\n" in out
    assert sorted(p.name for p in (directory / "don-vi").iterdir()) == ["SNV.xlsx", "STP.xlsx"]
    assert (directory / "don-vi" / "SNV.xlsx").read_bytes() == before


def test_a_config_elsewhere_points_at_the_files(tmp_path: Path) -> None:
    csv = tmp_path / "don-vi.csv"
    csv.write_text("code,name\nSNV,Sở Nội vụ\n", "utf-8")
    directory = tmp_path / "Thư mục tỉnh"
    config_path = tmp_path / "cau-hinh" / "an giang.toml"
    code, out, _ = _init("--units", str(csv), "--dir", str(directory), "--config", str(config_path))
    assert code == 0
    assert f'ubnd-sync sync -c "{config_path}"\n' in out  # a path with a space, quoted
    config = load_config(config_path)
    assert config.unit("SNV").source == "../Thư mục tỉnh/don-vi/SNV.xlsx"
    assert Path(resolved(config, config.unit("SNV").source)).is_file()
    assert Path(resolved(config, config.register.source)).resolve() == directory / REGISTER_FILE
    assert summary_file(config) == str(config_path.parent / "../Thư mục tỉnh/out/tong-hop.xlsx")


def test_a_name_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    csv = tmp_path / "don-vi.csv"
    name = '=HYPERLINK("http://x.invalid","Sở Nội vụ")'
    csv.write_text(f'code,name\nSNV,"{name.replace(chr(34), chr(34) * 2)}"\n', "utf-8")
    directory = tmp_path / "tinh"
    assert _init("--units", str(csv), "--dir", str(directory))[0] == 0
    with zipfile.ZipFile(directory / REGISTER_FILE) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    names = openpyxl.load_workbook(directory / REGISTER_FILE)[LISTS_TAB]
    assert (names["A2"].value, names["A2"].data_type) == (name, "s")
    guide = openpyxl.load_workbook(directory / "don-vi" / "SNV.xlsx")["Hướng dẫn"]
    assert guide["A1"].value.endswith(name) and guide["A1"].data_type == "s"
    assert load_config(directory / "ubnd-sync.toml").unit("SNV").name == name
