"""What Windows does differently, simulated as far as this machine allows (issue 9, part 7):
paths with Vietnamese letters and spaces, a summary open in Excel, no fork, consoles that
cannot show Vietnamese, and the set-up scripts that need no bash. The rest is in the README
(“Windows”, known limits)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sync.backends.xlsx.summary import start_xlsx, write_xlsx
from sync.cli import cli
from sync.config import Config, load_config
from sync.engine import run_sync
from sync.history import History
from sync.summary import build_tables
from tests.helpers import AS_OF, has_child_process, summary_file, task_row, write_config, write_workbook

ROOT = Path(__file__).resolve().parents[1]
FOLDER = "Văn phòng UBND tỉnh/Thư mục chung"  # letters with marks, spaces
SUMMARY = "Tổng hợp/Bảng tổng hợp tháng 3.xlsx"


def vietnamese_province(base: Path) -> Config:
    root = base / FOLDER
    write_workbook(
        root / "Đơn vị" / "Sở Nội vụ.xlsx", [task_row(), task_row(task_id="B", deadline="01/03/2024")]
    )
    write_workbook(root / "Đơn vị" / "Sở Tài chính (bản mới).xlsx", [task_row(task_id="C")])
    path = write_config(
        root,
        [
            ("SNV", "Sở Nội vụ", "Đơn vị/Sở Nội vụ.xlsx"),
            ("STC", "Sở Tài chính", "Đơn vị/Sở Tài chính (bản mới).xlsx"),
        ],
    )
    path.write_text(path.read_text(encoding="utf-8").replace("out/tong-hop.xlsx", SUMMARY), encoding="utf-8")
    return load_config(path)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, prog_name="ubnd-sync")
    return result.exit_code, result.stdout, result.stderr


def python_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


# ------------------------------------------------------------------ paths


def test_paths_with_vietnamese_letters_and_spaces(tmp_path: Path) -> None:
    cfg = vietnamese_province(tmp_path)
    code, out, err = invoke("sync", "-c", str(cfg.path), "--as-of", "05/03/2024", "-q")
    assert code == 0, err
    summary = tmp_path / FOLDER / SUMMARY
    assert f"Đã ghi bảng tổng hợp: {summary}" in out
    info = openpyxl.load_workbook(summary)["Thông tin"]
    sources = {r[0]: r[1] for r in info.iter_rows(min_row=2, values_only=True)}
    assert sources["STC — Sở Tài chính"] == "Đơn vị/Sở Tài chính (bản mới).xlsx"
    stats = openpyxl.load_workbook(summary)["Thống kê"]
    assert [r[2] for r in stats.iter_rows(min_row=2, max_row=3, values_only=True)] == [2, 1]
    code, out, err = invoke("report", "-c", str(cfg.path), "--out", str(tmp_path / FOLDER / "Báo cáo tháng"))
    assert code == 0, err
    assert (tmp_path / FOLDER / "Báo cáo tháng" / "bao-cao-thang-2024-02.docx").exists()


# ------------------------------------------------------------------ a summary open in Excel


def test_summary_open_in_excel_names_the_file_and_keeps_the_previous_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows refuses to replace a file Excel has open (PermissionError, winerror 5)."""
    cfg = vietnamese_province(tmp_path)
    assert invoke("sync", "-c", str(cfg.path), "--as-of", "05/02/2024", "-q")[0] == 0
    summary = Path(summary_file(cfg))
    before = summary.read_bytes()
    real_replace = os.replace

    def excel_holds_it(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst) == summary:
            raise PermissionError(13, "The process cannot access the file because it is being used", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", excel_holds_it)
    code, out, err = invoke("sync", "-c", str(cfg.path), "--as-of", "05/03/2024", "-q")
    assert code == 1
    assert err.startswith(f"Lỗi: Không ghi được tệp tổng hợp {summary}: không có quyền truy cập.")
    assert "đang mở trong Excel, đóng tệp rồi chạy lại" in err and "bản tổng hợp trước vẫn còn nguyên" in err
    assert "Traceback" not in err and err.count("\n") == 1
    assert summary.read_bytes() == before
    assert sorted(p.name for p in summary.parent.iterdir()) == [summary.name]  # no temporary left
    with History(cfg.history_path) as h:  # the run is not recorded without its summary
        assert [r.as_of.isoformat() for r in h.runs()] == ["2024-02-05"]
    monkeypatch.setattr(os, "replace", real_replace)
    assert invoke("sync", "-c", str(cfg.path), "--as-of", "05/03/2024", "-q")[0] == 0  # Excel closed


# ------------------------------------------------------------------ no fork


def test_without_fork_the_summary_is_written_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = vietnamese_province(tmp_path)
    tables = build_tables(run_sync(cfg, AS_OF))
    forked = write_xlsx(tables, tmp_path / "fork.xlsx")
    monkeypatch.delattr(os, "fork")  # as on Windows
    pending = start_xlsx(tables, tmp_path / "spawn.xlsx", background=True)
    assert not has_child_process()
    in_process = pending.finish()

    def values(path: Path) -> dict[str, list[tuple[object, ...]]]:
        wb = openpyxl.load_workbook(path)
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}

    assert values(in_process) == values(forked)


SPAWN_MAIN = (
    "import multiprocessing, os, sys\n"
    "del os.fork  # no fork anywhere in this process, as on Windows\n"
    "multiprocessing.set_start_method('spawn')\n"
    "from sync.cli import main\n"
    "sys.argv[0] = 'ubnd-sync'\n"
    "main()\n"
)


def test_a_whole_sync_without_fork_under_spawn(tmp_path: Path) -> None:
    cfg = vietnamese_province(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-c", SPAWN_MAIN, "sync", "-c", str(cfg.path), "--as-of", "05/03/2024", "-q"],
        capture_output=True,
        env=python_env(),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert openpyxl.load_workbook(summary_file(cfg)).sheetnames[0] == "Thống kê"


# ------------------------------------------------------------------ consoles


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_a_console_that_cannot_show_vietnamese_does_not_crash(tmp_path: Path, encoding: str) -> None:
    cfg = vietnamese_province(tmp_path)
    env = python_env(PYTHONIOENCODING=encoding)
    sync = [sys.executable, "-m", "sync", "sync", "-c", str(cfg.path), "--as-of", "05/03/2024", "-q"]
    proc = subprocess.run(sync, capture_output=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode("utf-8")  # written as UTF-8: every letter kept
    assert "Sở Nội vụ" in out and "Đã ghi bảng tổng hợp" in out
    proc = subprocess.run(
        [*sync[:3], "validate", *sync[4:], "--json"], capture_output=True, env=env, timeout=300
    )
    assert json.loads(proc.stdout.decode("utf-8"))["units"][0]["name"] == "Sở Nội vụ"
    proc = subprocess.run([*sync[:3], "sync", "--nope"], capture_output=True, env=env, timeout=60)
    assert proc.returncode == 2
    err = proc.stderr.decode("utf-8")
    assert "Lỗi: Không có tùy chọn '--nope'." in err and "Traceback" not in err


# ------------------------------------------------------------------ set-up without bash


def test_demo_script_builds_where_the_person_is(tmp_path: Path) -> None:
    here = tmp_path / "Thư mục của tôi"
    here.mkdir()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py"), "tỉnh mẫu", "--months", "1", "--quiet"],
        cwd=here,
        capture_output=True,
        timeout=600,
    )
    assert proc.returncode in (0, 3), proc.stderr.decode("utf-8", "replace")
    assert (here / "tỉnh mẫu" / "ubnd-sync.toml").is_file()
    assert (here / "tỉnh mẫu" / "out" / "tong-hop.xlsx").is_file()
    assert not (ROOT / "tỉnh mẫu").exists()


def test_bash_scripts_only_call_the_python_ones() -> None:
    for name in ("test", "demo"):
        lines = [
            line
            for line in (ROOT / "scripts" / name).read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        assert lines == [f'exec "${{PYTHON:-python3}}" "$(dirname "$0")/{name}.py" "$@"']
    assert "_venv.py" in (ROOT / "scripts" / "_venv.sh").read_text(encoding="utf-8")
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_venv_interpreter_is_where_windows_puts_it(monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import _venv
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert _venv.venv_python() == ROOT / ".venv" / "bin" / "python"
    assert _venv.venv_python().exists()  # this very set-up made it
    monkeypatch.setattr(os, "name", "nt")
    assert _venv.venv_python() == ROOT / ".venv" / "Scripts" / "python.exe"
