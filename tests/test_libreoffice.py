"""LibreOffice opens what we write, and what LibreOffice writes, we read.

These run for real in CI (.ci/run installs LibreOffice). On a developer machine
without ``soffice`` they are skipped with a message; with ``CI`` set they fail.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from sync.backends.xlsx.summary import write_xlsx
from sync.config import Config
from sync.engine import run_sync
from sync.summary import build_tables
from tests.helpers import AS_OF, summary_file, task_row

Province = Callable[..., Config]


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required in CI: .ci/run must install it")
        pytest.skip("LibreOffice (soffice) is not installed; CI runs this test")
    return exe


def convert(src: Path, fmt: str, outdir: Path, tmp_path: Path) -> Path:
    outdir.mkdir(parents=True, exist_ok=True)
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return outdir / (src.stem + "." + fmt.split(":")[0])


def test_libreoffice_reads_summary_figures(province: Province, tmp_path: Path) -> None:
    cfg = province(
        {
            "SNV": [
                task_row(
                    task_id="A",
                    status="Xong",
                    completed_on="01/02/2024",
                    deadline="01/01/2024",
                    doc_date="01/12/2023",
                ),
                task_row(task_id="B", deadline="01/03/2024"),
                task_row(task_id="C", extension_request="31/05/2024", obstacles="=Thiếu vốn"),
            ],
            "STC": [task_row(task_id="D", summary='=HYPERLINK("http://x","y")', deadline="Thường xuyên")],
            "STP": None,
        }
    )
    result = run_sync(cfg, AS_OF)
    path = write_xlsx(build_tables(result), summary_file(cfg))
    # sheet option -1: LibreOffice writes one UTF-8 CSV per tab, named <stem>-<tab>.csv
    convert(
        path,
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
        tmp_path / "csv",
        tmp_path,
    )
    files = {unicodedata.normalize("NFC", p.stem): p for p in (tmp_path / "csv").glob("*.csv")}
    assert set(files) == {
        f"tong-hop-{t}"
        for t in ("Thống kê", "Nhiệm vụ", "Quá hạn", "Đề nghị gia hạn", "Cảnh báo", "Thông tin")
    }
    stats_file = files["tong-hop-Thống kê"]
    rows = list(csv.reader(stats_file.read_text(encoding="utf-8").splitlines()))
    assert rows[0][:3] == ["Mã đơn vị", "Đơn vị", "Tổng số"]
    by_code = {r[0]: r for r in rows[1:] if r[0]}
    for unit in result.units:
        r = by_code[unit.code]
        assert r[1] == unit.name
        assert [int(x) for x in r[2:9]] == [
            unit.counts[k]
            for k in (
                "total",
                "completed_on_time",
                "completed_late",
                "in_progress_on_time",
                "in_progress_overdue",
                "no_deadline",
                "unclassified",
            )
        ]
    assert by_code["SNV"][9] == "50.0%" and by_code["SNV"][11] == "Đúng hạn"
    assert by_code["STP"][11] == "Không đọc được"
    tasks_file = files["tong-hop-Nhiệm vụ"]
    text = tasks_file.read_text(encoding="utf-8")
    assert '=HYPERLINK(""http://x"",""y"")' in text  # kept as text, not evaluated
    # C's request (made 20/02/2024, 47 working days before 30/04/2024), its reason text as typed
    requests = list(csv.reader(files["tong-hop-Đề nghị gia hạn"].read_text(encoding="utf-8").splitlines()))
    assert requests[0][:3] == ["Mã đơn vị", "Đơn vị", "Mã nhiệm vụ"]
    assert [r[:3] + r[4:10] for r in requests[1:]] == [
        ["SNV", "Sở Nội vụ", "C", "30/04/2024", "31/05/2024", "20/02/2024", "47", "=Thiếu vốn", ""]
    ]


def test_workbooks_saved_by_libreoffice_read_the_same(province: Province, tmp_path: Path) -> None:
    rows = [
        task_row(task_id="A", status="Đã hoàn thành", completed_on="15/02/2024", deadline="20/02/2024"),
        task_row(task_id="B", deadline="01/03/2024", updated_on="27/02/2024"),
        task_row(task_id="C", deadline="31/02/2024"),
        task_row(task_id="D", deadline="Thường xuyên", progress="=1+1"),
    ]
    cfg = province({"SNV": rows})
    original = run_sync(cfg, AS_OF).to_dict()
    src = tmp_path / "units" / "SNV.xlsx"
    staged = tmp_path / "staged" / "SNV.xlsx"
    staged.parent.mkdir()
    shutil.copy(src, staged)
    converted = convert(staged, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo", tmp_path)
    assert converted.exists()
    assert converted.read_bytes() != src.read_bytes()
    shutil.copy(converted, src)
    again = run_sync(cfg, AS_OF).to_dict()
    assert again == original
    ods = convert(staged, "ods", tmp_path / "lo-ods", tmp_path)
    shutil.copy(ods, src)  # a unit that saved as .ods under the .xlsx name still reads
    assert run_sync(cfg, AS_OF).to_dict() == original
