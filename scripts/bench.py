"""Benchmark driver for scripts/bench (see README, Performance).

Default: start-up, the 118-unit demo province against a naive pandas script
(scripts/bench_province.py), and the 10k and 100k-row provinces against the floor.

Each measurement is a fresh subprocess; wall time by perf_counter around it and
peak memory from the child's rusage (ru_maxrss). Floor and sync runs alternate
so that machine noise hits both alike; the median of the repeats is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench_distribute import bench_distribute, print_distribute  # noqa: E402
from scripts.bench_gsheets import bench_gsheets, print_table  # noqa: E402
from scripts.bench_init import bench_init, print_init_table  # noqa: E402
from scripts.bench_province import (  # noqa: E402
    bench_province,
    bench_startup,
    forget_reads,
    print_province,
    print_startup,
)
from sync.schema import unit_sheet_schema  # noqa: E402

AS_OF = date(2024, 11, 5)
UNITS = 40

FLOOR = r"""
import sys, python_calamine as pc, xlsxwriter
from pathlib import Path
# The floor: read every cell of every unit workbook with python-calamine, then write as many
# cells as the sync's summary holds (sys.argv[3]) once with XlsxWriter: the values read, in
# order, over again until there are as many, 21 to a row (the Nhiệm vụ tab's width).
values = []
for p in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    wb = pc.CalamineWorkbook.from_path(str(p))
    for name in wb.sheet_names:
        for row in wb.get_sheet_by_name(name).to_python(skip_empty_area=False):
            values.extend(v for v in row if v != "")
    wb.close()
out = xlsxwriter.Workbook(sys.argv[2], {"strings_to_formulas": False, "strings_to_numbers": False,
                                        "strings_to_urls": False})
ws = out.add_worksheet("floor")
write = ws.write
for i in range(int(sys.argv[3])):
    write(i // 21, i % 21, values[i % len(values)])
out.close()
"""


def make_province(directory: Path, rows_per_unit: int, seed: int = 1) -> Path:
    """40 unit workbooks of realistic rows (mixed date forms, statuses, some mistakes)."""
    rnd = random.Random(seed)
    schema = unit_sheet_schema()
    names = list(schema.names)
    units_dir = directory / "units"
    units_dir.mkdir(parents=True, exist_ok=True)
    lines = ["[sync]", 'summary = "out/tong-hop.xlsx"', "", ""]
    for u in range(UNITS):
        code = f"U{u:02d}"
        lines += [
            "[[units]]",
            f'code = "{code}"',
            f'name = "Đơn vị {u:02d}"',
            f'source = "units/{code}.xlsx"',
            "",
        ]
        wb = xlsxwriter.Workbook(str(units_dir / f"{code}.xlsx"), {"constant_memory": True})
        ws = wb.add_worksheet("Nhiệm vụ")
        datefmt = wb.add_format({"num_format": "dd/mm/yyyy"})
        ws.write_string(0, 0, "UBND TỈNH KIÊN GIANG")
        ws.write_string(1, 0, f"Đơn vị {u:02d}")
        for c, f in enumerate(schema.fields):
            ws.write_string(3, c, f.title)
        for i in range(rows_per_unit):
            # a realistic mix, close to the demo province: most old tasks done, ~15 % overdue,
            # most rows updated in the period, a few late or stale
            assigned = AS_OF - timedelta(days=rnd.randrange(5, 300))
            r = rnd.random()
            completed = None
            if r < 0.55:
                status = rnd.choice(["Đã hoàn thành", "Xong", "Hoàn thành"])
                deadline = assigned + timedelta(days=rnd.randrange(10, 120))
                completed = min(assigned + timedelta(days=rnd.randrange(5, 130)), AS_OF - timedelta(days=1))
            elif r < 0.75:
                status = rnd.choice(["Đang thực hiện", "Đang TH", "Chưa thực hiện"])
                deadline = AS_OF + timedelta(days=rnd.randrange(0, 90))
            elif r < 0.90:
                status = rnd.choice(["Đang thực hiện", "Đang triển khai"])
                deadline = max(assigned, AS_OF - timedelta(days=rnd.randrange(1, 60)))
            else:
                status = "Đang thực hiện"
                deadline = None
            done = completed is not None
            u_r = rnd.random()
            if u_r < 0.85:
                updated = date(2024, 9, 26) + timedelta(days=rnd.randrange(30))
            elif u_r < 0.92:
                updated = date(2024, 10, 26) + timedelta(days=rnd.randrange(10))
            else:
                updated = date(2024, 9, 25) - timedelta(days=rnd.randrange(60))
            row = {
                "stt": i + 1,
                "task_id": f"{code}-{i:05d}",
                "doc_ref": f"{rnd.randrange(1, 3000)}/UBND-TH",
                "doc_date": assigned,
                "summary": f"Rà soát, đề xuất tháo gỡ khó khăn cho dự án số {i} tại huyện {u}",
                "assigner": "Chủ tịch UBND tỉnh",
                "lead_unit": f"Đơn vị {u:02d}",
                "co_units": f"Đơn vị {(u + 1) % UNITS:02d}",
                "deadline": "Thường xuyên"
                if deadline is None
                else deadline
                if rnd.random() < 0.7
                else deadline.strftime("%d/%m/%Y"),
                "extended_deadline": None,
                "status": status,
                "progress": "Đã tổ chức họp, đang hoàn thiện dự thảo báo cáo",
                "completed_on": completed,
                "result_doc": "123/BC-SNV" if done else None,
                "obstacles": "Thiếu kinh phí" if rnd.random() < 0.1 else None,
                "extension_request": None,
                "updated_on": updated if rnd.random() < 0.8 else updated.strftime("%d/%m/%Y"),
            }
            for c, name in enumerate(names):
                v = row[name]
                if v is None:
                    continue
                if isinstance(v, date):
                    ws.write_datetime(4 + i, c, v, datefmt)
                elif isinstance(v, int):
                    ws.write_number(4 + i, c, v)
                else:
                    ws.write_string(4 + i, c, v)
        wb.close()
    config = directory / "ubnd-sync.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    return config


READERS = {
    "python-calamine": r"""
import sys, python_calamine as pc
from pathlib import Path
n = 0
for p in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    wb = pc.CalamineWorkbook.from_path(str(p))
    for row in wb.get_sheet_by_name(wb.sheet_names[0]).to_python(skip_empty_area=False):
        n += len(row)
    wb.close()
""",
    "pandas (engine=calamine)": r"""
import sys, pandas as pd
from pathlib import Path
n = 0
for p in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    df = pd.read_excel(p, sheet_name=0, header=None, engine="calamine", dtype=object)
    n += df.size
""",
    "openpyxl (read_only)": r"""
import sys, openpyxl
from pathlib import Path
n = 0
for p in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    for row in wb.worksheets[0].iter_rows(values_only=True):
        n += len(row)
    wb.close()
""",
}


def bench_readers(work: Path, rows: int, repeat: int) -> list[dict[str, float | str]]:
    """Reading every cell of the province: the candidates for the xlsx backend."""
    directory = work / f"rows-{rows}"
    if not (directory / "ubnd-sync.toml").exists():
        make_province(directory, rows // UNITS)
    out = []
    for name, code in READERS.items():
        runs = [measure([sys.executable, "-c", code, str(directory / "units")]) for _ in range(repeat)]
        out.append(
            {
                "reader": name,
                "rows": rows,
                "seconds": round(statistics.median(w for w, _, _ in runs), 3),
                "peak_mib": round(max(m for _, m, _ in runs) / 2**20, 1),
            }
        )
    base = out[0]["seconds"]
    for r in out:
        r["vs_calamine"] = round(float(r["seconds"]) / float(base), 2)
    return out


def _tree_pss(pid: int) -> int:
    """Proportional set size of a process and its descendants, in bytes (shared pages split)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
            with open(f"/proc/{p}/task/{p}/children", encoding="ascii") as fh:
                stack.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def measure(cmd: list[str], ok: tuple[int, ...] = (0, 3)) -> tuple[float, int, float]:
    """(wall seconds, peak memory bytes, CPU seconds) of one command and the processes it starts.

    Peak memory is the largest sum, over the process tree, of proportional set sizes
    sampled every 20 ms (so a forked child's shared pages are not counted twice),
    and never less than the largest single process's peak RSS.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_pss(proc.pid))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode not in ok:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    return wall, max(peak, usage.ru_maxrss * 1024), usage.ru_utime + usage.ru_stime


def summary_cells(path: Path) -> int:
    """The cells the summary holds (every tab, none empty)."""
    import python_calamine as pc

    book = pc.CalamineWorkbook.from_path(str(path))
    try:
        return sum(
            1
            for name in book.sheet_names
            for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for v in row
            if v != ""
        )
    finally:
        book.close()


def bench_size(work: Path, rows: int, repeat: int) -> dict[str, float]:
    directory = work / f"rows-{rows}"
    per_unit = rows // UNITS
    if not (directory / "ubnd-sync.toml").exists():
        make_province(directory, per_unit)
    config = directory / "ubnd-sync.toml"
    cache = directory / "ubnd-sync.cache.sqlite"
    py = sys.executable
    exe = str(Path(py).parent / "ubnd-sync")
    sync_cmd = [exe, "sync", "-c", str(config), "--as-of", AS_OF.isoformat(), "--quiet"]
    cache.unlink(missing_ok=True)
    measure(sync_cmd)  # warm the page cache; the summary gives the floor its number of cells
    cells = summary_cells(directory / "out" / "tong-hop.xlsx")
    floor_cmd = [py, "-c", FLOOR, str(directory / "units"), str(work / "floor.xlsx"), str(cells)]
    floors, syncs = [], []
    for _ in range(repeat):
        floors.append(measure(floor_cmd))
        forget_reads(cache)  # every file read and parsed, as when the units changed them all
        syncs.append(measure(sync_cmd))
    f_wall = statistics.median(w for w, _, _ in floors)
    s_wall = statistics.median(w for w, _, _ in syncs)
    return {
        "rows": rows,
        "summary_cells": cells,
        "floor_s": round(f_wall, 3),
        "sync_s": round(s_wall, 3),
        "ratio": round(s_wall / f_wall, 3),
        "floor_cpu_s": round(statistics.median(c for _, _, c in floors), 3),
        "sync_cpu_s": round(statistics.median(c for _, _, c in syncs), 3),
        "floor_peak_mib": round(max(m for _, m, _ in floors) / 2**20, 1),
        "sync_peak_mib": round(max(m for _, m, _ in syncs) / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", help="rows, comma-separated (default 10000,100000; none with --gsheets)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", default=str(ROOT / "bench-out"))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--readers", action="store_true", help="also compare xlsx readers (10k rows)")
    parser.add_argument(
        "--gsheets",
        action="store_true",
        help="also the Google path: 118 units, emulator with Google's quotas",
    )
    parser.add_argument(
        "--init", action="store_true", help="also init on Google: 118 units, emulator with Google's quotas"
    )
    parser.add_argument(
        "--distribute",
        action="store_true",
        help="also distribute: 118 units, 2 new tasks each, xlsx and Google",
    )
    parser.add_argument(
        "--province",
        action="store_true",
        help="start-up and the 118-unit demo province against a naive pandas script (in the default run)",
    )
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    compile_bytecode()
    only_other = args.gsheets or args.init or args.distribute or args.province
    sizes = args.sizes if args.sizes is not None else ("" if only_other else "10000,100000")
    with_province = args.province or not only_other
    startup = bench_startup(measure, args.repeat) if with_province else []  # scripts/bench_province.py
    province = bench_province(work, measure, args.repeat) if with_province else []
    results = [bench_size(work, int(s), args.repeat) for s in sizes.split(",") if s]
    readers = bench_readers(work, 10000, args.repeat) if args.readers else []
    google = bench_gsheets(work) if args.gsheets else []  # scripts/bench_gsheets.py
    init = bench_init(work) if args.init else []  # scripts/bench_init.py
    handed = bench_distribute(work) if args.distribute else []  # scripts/bench_distribute.py
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    if args.json:
        print(
            json.dumps(
                {
                    "machine": machine,
                    "startup": startup,
                    "province": province,
                    "results": results,
                    "readers": readers,
                    "gsheets": google,
                    "init": init,
                    "distribute": handed,
                },
                indent=2,
            )
        )
        return
    print(f"machine: {machine}; median of {args.repeat} alternating runs")
    if startup:
        print_startup(startup)
    if province:
        print_province(province)
    if results:
        print("\nthe synthetic provinces (40 units), against the floor:")
        print(
            f"{'rows':>8} {'cells out':>10} {'floor s':>8} {'sync s':>8} {'sync/floor':>10} {'floor cpu s':>11} "
            f"{'sync cpu s':>10} {'floor MiB':>10} {'sync MiB':>9}"
        )
    for r in results:
        print(
            f"{r['rows']:>8} {r['summary_cells']:>10} {r['floor_s']:>8} {r['sync_s']:>8} {r['ratio']:>10} "
            f"{r['floor_cpu_s']:>11} {r['sync_cpu_s']:>10} {r['floor_peak_mib']:>10} {r['sync_peak_mib']:>9}"
        )
    if len(results) >= 2:
        a, b = results[0], results[-1]
        growth = (b["sync_s"] / a["sync_s"]) / (b["rows"] / a["rows"])
        print(
            f"sync cost growth {a['rows']}→{b['rows']} rows: {b['sync_s'] / a['sync_s']:.2f}× time for "
            f"{b['rows'] / a['rows']:.0f}× rows (1.0 = linear per row: {growth:.2f})"
        )
    if readers:
        print("\nxlsx readers, every cell of 40 workbooks (10,000 rows):")
        for r in readers:
            print(f"  {r['reader']:<26} {r['seconds']:>7} s  {r['vs_calamine']:>5}×  {r['peak_mib']:>7} MiB")
    if google:
        print_table(google)
    if init:
        print_init_table(init)
    if handed:
        print_distribute(handed)
    if results:
        targets = results[-1]
        ok = targets["ratio"] <= 1.3 and targets["sync_peak_mib"] <= 1024
        print("targets (≤ 1.3× floor, ≤ 1 GiB at the largest size):", "met" if ok else "NOT met")


def compile_bytecode() -> None:
    """Byte-compile the package as installing it does: a working copy run with
    PYTHONDONTWRITEBYTECODE would otherwise compile every module in every measured process."""
    import compileall

    for package in ("sync", "sheets_schema", "google_emulator"):
        compileall.compile_dir(str(ROOT / package), quiet=2)


if __name__ == "__main__":
    main()
