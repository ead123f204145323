"""Small things a person meets at the command line (issue 9, part 6): day-first --as-of,
click's own help and errors in Vietnamese, a read-only report folder, the set-up's metadata."""

from __future__ import annotations

import ast
import gettext
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from sync.cli import cli
from sync.cli.click_vi import CATALOG, MO_FILE, mo_bytes
from sync.cli.common import parse_day
from sync.config import Config, load_config
from sync.pipeline import sync_and_record
from tests.helpers import AS_OF, as_nobody, summary_file, task_row, write_config, write_workbook

Province = Callable[..., Config]
ROOT = Path(__file__).resolve().parents[1]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, prog_name="ubnd-sync")
    return result.exit_code, result.stdout, result.stderr


# ------------------------------------------------------------------ --as-of as the Office writes it


@pytest.mark.parametrize("written", ["05/03/2024", "5/3/2024", "05-03-2024", "2024-03-05", " 05/03/2024 "])
def test_as_of_day_first_or_iso(province: Province, written: str) -> None:
    cfg = province({"SNV": [task_row()]})
    code, out, err = invoke("validate", "-c", str(cfg.path), "--as-of", written, "--json", "-q")
    assert code == 0, err
    assert json.loads(out)["as_of"] == "2024-03-05"


def test_sync_as_of_day_first_writes_the_same_summary_date(province: Province) -> None:
    cfg = province({"SNV": [task_row()]})
    code, out, err = invoke("sync", "-c", str(cfg.path), "--as-of", "05/03/2024", "-q")
    assert code == 0, err
    assert "đến ngày 05/03/2024" in out


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("31/02/2024", "không có ngày này trong lịch"),
        ("03/15/2024", "ngày phải viết trước tháng"),
        ("hôm qua", "ghi ngày theo dạng dd/mm/yyyy"),
        ("05/03/1999", "phải trong các năm 2000–2100"),
        ("2024-13-01", "không có ngày này trong lịch"),
    ],
)
def test_bad_as_of_says_why_in_vietnamese(province: Province, written: str, reason: str) -> None:
    cfg = province({"SNV": [task_row()]})
    code, out, err = invoke("sync", "-c", str(cfg.path), "--as-of", written, "-q")
    assert code == 2 and out == ""
    assert err.startswith("Cách dùng: ubnd-sync sync [TÙY CHỌN]")
    assert f"Lỗi: Giá trị không hợp lệ cho --as-of: “{written}” không phải ngày hợp lệ" in err
    assert reason in err and "2024-11-05" in err
    assert not Path(summary_file(cfg)).exists()


def test_diff_since_takes_a_day_first_date(province: Province) -> None:
    cfg = province({"SNV": [task_row()]})
    sync_and_record(cfg, AS_OF.replace(month=2))
    sync_and_record(cfg, AS_OF)
    code, out, err = invoke("diff", "-c", str(cfg.path), "--since", "06/02/2024", "--json")
    assert code == 0, err
    assert json.loads(out)["old"]["as_of"] == "2024-02-05"


@given(st.text(max_size=80))
def test_any_as_of_text_is_a_date_or_a_clear_error(text: str) -> None:
    try:
        day = parse_day(text)
    except click.BadParameter as e:
        assert "không phải ngày hợp lệ" in e.format_message()
    else:
        assert isinstance(day, date) and 2000 <= day.year <= 2100


# ------------------------------------------------------------------ click's own words in Vietnamese

ENGLISH = ("Usage:", "Options:", "Error:", "Invalid value", "Show this message", "No such option", "Missing")


def test_help_is_vietnamese() -> None:
    for args in (["--help"], ["sync", "-h"], ["history", "void", "-h"], ["report", "-h"], ["demo", "-h"]):
        code, out, _ = invoke(*args)
        assert code == 0
        assert out.startswith("Cách dùng: ubnd-sync"), args
        assert "Tùy chọn:" in out and "Hiện hướng dẫn này rồi thoát." in out
        assert not any(word in out for word in ENGLISH), (args, out)
    _, top, _ = invoke("--help")
    assert "Lệnh:" in top and "[TÙY CHỌN] LỆNH [THAM SỐ]..." in top


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["sync", "--nope"], "Lỗi: Không có tùy chọn '--nope'."),
        (["sync", "--as-of"], "Lỗi: Tùy chọn '--as-of' cần một giá trị."),
        (["history", "void"], "Lỗi: Thiếu tham số 'RUN_ID'."),
        (["demo", "--months", "99"], "Lỗi: Giá trị không hợp lệ cho '--months': 99 nằm ngoài khoảng"),
        (["demo", "--backend", "excel"], "không phải một trong các giá trị"),
        (["syncc"], "Lỗi: Không có lệnh 'syncc'."),
        (["sync", "a", "b"], "Lỗi: Thừa tham số (a b)"),
    ],
)
def test_usage_errors_are_vietnamese(args: list[str], says: str) -> None:
    code, out, err = invoke(*args)
    assert code == 2 and out == ""
    assert says in err
    assert "Cách dùng:" not in err or "Xem hướng dẫn: ubnd-sync" in err
    assert not any(word in err for word in ENGLISH), err


def test_vietnamese_is_put_back_after_the_command() -> None:
    before = (gettext.textdomain(), os.environ.get("LANGUAGE"))
    invoke("sync", "--nope")
    assert (gettext.textdomain(), os.environ.get("LANGUAGE")) == before


def test_installed_command_speaks_vietnamese_whatever_the_locale(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("ubnd-sync")
    env = {**os.environ, "LANG": "en_US.UTF-8", "LC_ALL": "C.UTF-8", "LANGUAGE": "en"}
    proc = subprocess.run([str(exe), "sync", "--bad"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 2
    assert "Lỗi: Không có tùy chọn '--bad'." in proc.stderr and "No such option" not in proc.stderr


def test_compiled_catalog_matches_the_catalog() -> None:
    assert MO_FILE.read_bytes() == mo_bytes()  # run `python -m sync.cli.click_vi` after editing CATALOG
    with MO_FILE.open("rb") as fh:
        t = gettext.GNUTranslations(fh)
    assert t.gettext("Usage:") == "Cách dùng:"
    assert t.ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 1) == (
        "Có phải ý bạn là {possibility}?"
    )


def _click_texts() -> set[str | tuple[str, str]]:
    """Every text click marks for translation (``_("…")``, ``ngettext("…", "…", n)``)."""
    found: set[str | tuple[str, str]] = set()
    for path in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                texts = [
                    a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
                ]
                if node.func.id == "_" and texts:
                    found.add(texts[0])
                elif node.func.id == "ngettext" and len(texts) >= 2:
                    found.add((texts[0], texts[1]))
    return found


def test_catalog_speaks_the_installed_click() -> None:
    texts = _click_texts()
    older_click = {"Usage: ", "No such option: {name}"}  # click 8.1's spellings, kept for it
    assert set(CATALOG) - older_click <= texts
    for must in ("Usage:", "Options", "Error: {message}", "Invalid value for {param_hint}: {message}"):
        assert must in texts and must in CATALOG
    # placeholders survive translation (click fills them with .format)
    for key, value in CATALOG.items():
        for k, v in zip(
            key if isinstance(key, tuple) else (key,),
            value if isinstance(value, tuple) else (value,),
            strict=True,
        ):
            assert set(re.findall(r"\{[^}]*\}", k)) - {"{number_type}"} <= set(re.findall(r"\{[^}]*\}", v))


# ------------------------------------------------------------------ a report folder it cannot write


@pytest.mark.skipif(os.name != "posix", reason="folder permissions as POSIX has them")
def test_read_only_report_folder_gives_the_same_clean_message_as_sync() -> None:
    root = Path(tempfile.mkdtemp(prefix="ubnd-ro-"))  # reachable by an unprivileged user
    try:
        write_workbook(root / "units" / "SNV.xlsx", [task_row()])
        config = load_config(write_config(root, [("SNV", "Sở Nội vụ", "units/SNV.xlsx")]))
        sync_and_record(config, AS_OF)
        # the parent imports all a report needs (the child may not read the interpreter's folders)
        assert invoke("report", "-c", str(config.path), "--out", str(root / "ok"), "--no-pdf")[0] == 0
        locked_report, locked_summary = root / "bao-cao", root / "khoa"
        locked_report.mkdir()
        locked_summary.mkdir()
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o666)
        root.chmod(0o777)  # the child's own history file goes here
        locked_report.chmod(0o555)
        locked_summary.chmod(0o555)
        summary_elsewhere = root / "khoa.toml"
        summary_elsewhere.write_text(
            config.path.read_text(encoding="utf-8").replace("out/tong-hop.xlsx", "khoa/tong-hop.xlsx"),
            encoding="utf-8",
        )
        summary_elsewhere.chmod(0o644)

        def both() -> str:
            report = CliRunner().invoke(
                cli, ["report", "-c", str(config.path), "--out", str(locked_report), "--no-pdf"]
            )
            sync = CliRunner().invoke(
                cli, ["sync", "-c", str(summary_elsewhere), "-q", "--as-of", "06/03/2024"]
            )
            return json.dumps([report.exit_code, report.stderr, sync.exit_code, sync.stderr])

        report_code, report_err, sync_code, sync_err = json.loads(as_nobody(both))
        assert (report_code, sync_code) == (1, 1)
        assert (
            report_err
            == f"Lỗi: Không tạo được tệp báo cáo trong thư mục {locked_report}: không có quyền truy cập\n"
        )
        assert sync_err == (
            f"Lỗi: Không tạo được tệp tổng hợp trong thư mục {locked_summary}: không có quyền truy cập\n"
        )
        assert list(locked_report.iterdir()) == []
    finally:
        for path in (root / "bao-cao", root / "khoa"):
            if path.exists():
                path.chmod(0o755)
        shutil.rmtree(root)


# ------------------------------------------------------------------ set-up without a deprecation banner


def test_pyproject_declares_the_license_as_setuptools_77_wants() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["license"] == "MIT"  # an SPDX expression, not the deprecated table
    assert all((ROOT / f).is_file() for f in meta["project"]["license-files"])
    assert "setuptools>=77" in meta["build-system"]["requires"]
    package_data = meta["tool"]["setuptools"]["package-data"]["sync"]
    assert "locale/*/LC_MESSAGES/*.mo" in package_data  # the Vietnamese catalog is installed


def test_output_into_a_closed_pipe_is_not_an_unexpected_error(province: Province) -> None:
    """``ubnd-sync validate | head``: when the reader has gone, the command stops quietly."""
    config = province({"SNV": [task_row(deadline="31/02/2024")]})
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written
    try:
        done = subprocess.run(
            [sys.executable, "-m", "sync", "validate", "--config", str(config.path), "--as-of", "2024-03-05"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "không mong đợi" not in done.stderr
    assert done.stderr == ""
