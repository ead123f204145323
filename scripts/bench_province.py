"""scripts/bench (default, or --province): start-up and the real-size province, against their peers.

- Start-up: ``ubnd-sync --version`` and ``--help``, against a bare ``python -c pass`` (the
  interpreter's own start-up, the part no code of ours can remove).
- The 118-unit demo province (An Giang 2025, ``sync.demo.make_demo``, the size of a real
  province's month, damaged and missing files included), against a naive pandas script that
  only concatenates the same workbooks (``pandas.read_excel`` of each, ``concat``,
  ``to_excel``: pandas' defaults, nothing checked):
  - full sync: every unit's file read and parsed, as when every unit changed its file since the
    last sync (the read cache emptied; the history and the holidays kept in the cache stay);
  - first sync: the province's very first sync (no history, no cache at all);
  - unchanged: a sync whose inputs did not change since the last one (the read cache and the
    history of that run present: nothing is parsed, the summary is not written again);
  - validate: ``ubnd-sync validate`` with the read cache emptied (it reads every file).

Every measurement is a fresh process; the cases alternate with the peer, so machine noise hits
all alike; medians of the repeats, and each ratio is taken against the peer of the same run.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

NAIVE_PANDAS = r"""
import sys, warnings
from pathlib import Path
import pandas as pd
warnings.simplefilter("ignore")
frames = []
for p in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    try:
        frames.append(pd.read_excel(p, sheet_name=0))
    except Exception:  # a damaged or password-protected file: skipped, nothing said
        continue
pd.concat(frames, ignore_index=True).to_excel(sys.argv[2], index=False)
"""

Measure = Callable[..., tuple[float, int, float]]


def _median(runs: list[tuple[float, int, float]]) -> float:
    return statistics.median(w for w, _, _ in runs)


def bench_startup(measure: Measure, repeat: int) -> list[dict[str, Any]]:
    """Wall seconds of the command line's start-up, and against the bare interpreter."""
    py = sys.executable
    exe = str(Path(py).parent / "ubnd-sync")
    cases = {"--version": [exe, "--version"], "--help": [exe, "--help"], "sync --help": [exe, "sync", "--help"]}
    bare = [py, "-c", "pass"]
    runs: dict[str, list[tuple[float, int, float]]] = {name: [] for name in cases}
    peers: list[tuple[float, int, float]] = []
    measure(cases["--version"])  # warm the page cache
    for _ in range(max(repeat, 5)):
        peers.append(measure(bare))
        for name, cmd in cases.items():
            runs[name].append(measure(cmd))
    base = _median(peers)
    out = [{"case": "python -c pass", "seconds": round(base, 3), "vs_python": 1.0}]
    for name, got in runs.items():
        wall = _median(got)
        out.append({"case": f"ubnd-sync {name}", "seconds": round(wall, 3), "vs_python": round(wall / base, 2)})
    return out


def bench_province(work: Path, measure: Measure, repeat: int) -> list[dict[str, Any]]:
    """The demo province's sync (full, unchanged) and validate, against the naive pandas script."""
    from sync.demo import make_demo

    directory = work / "province-118"
    config = directory / "ubnd-sync.toml"
    if not config.exists():
        make_demo(directory)
    as_of = "05/11/2026"
    exe = str(Path(sys.executable).parent / "ubnd-sync")
    cache = directory / "ubnd-sync.cache.sqlite"
    history = directory / "ubnd-sync.history.sqlite"
    sync = [exe, "sync", "-c", str(config), "--as-of", as_of, "--quiet"]
    validate = [exe, "validate", "-c", str(config), "--as-of", as_of, "--quiet"]
    naive = [sys.executable, "-c", NAIVE_PANDAS, str(directory / "units"), str(work / "naive-pandas.xlsx")]

    def first() -> None:  # the province never synced: no history, no cache
        for f in (cache, history):
            f.unlink(missing_ok=True)

    def changed() -> None:  # every file read anew: what the cache remembers of files and summary goes
        forget_reads(cache)

    ok = (0, 1, 3)  # the demo has damaged files (3) and mistakes validate reports (1)
    cases: dict[str, tuple[Callable[[], None], list[str]]] = {
        "full sync": (changed, sync),
        "unchanged": (lambda: None, sync),  # right after the full sync: same files, cache and history
        "first sync": (first, sync),
        "validate": (changed, validate),
    }
    runs: dict[str, list[tuple[float, int, float]]] = {name: [] for name in cases}
    peers: list[tuple[float, int, float]] = []
    measure(naive)  # warm the page cache
    first()
    measure(sync, ok=ok)
    for _ in range(repeat):
        peers.append(measure(naive))
        for name, (before, cmd) in cases.items():
            before()
            runs[name].append(measure(cmd, ok=ok))
    base = _median(peers)
    out = [
        {
            "case": "naive pandas (read_excel + concat + to_excel)",
            "seconds": round(base, 3),
            "vs_pandas": 1.0,
            "peak_mib": round(max(m for _, m, _ in peers) / 2**20, 1),
        }
    ]
    for name, got in runs.items():
        wall = _median(got)
        out.append(
            {
                "case": name,
                "seconds": round(wall, 3),
                "vs_pandas": round(wall / base, 3),
                "peak_mib": round(max(m for _, m, _ in got) / 2**20, 1),
            }
        )
    return out


def forget_reads(cache: Path) -> None:
    """Empty what the local cache remembers of the units' files and of the summary (not the holidays)."""
    import sqlite3

    if not cache.exists():
        return
    conn = sqlite3.connect(cache)
    try:
        with conn:
            for table in ("xlsx_reads", "xlsx_summary"):
                conn.execute(f"DROP TABLE IF EXISTS {table}")
    finally:
        conn.close()


#: the targets (README, Performance): seconds, and ratios to the peer of the same run
STARTUP_TARGET = 0.15
PROVINCE_TARGETS = {"full sync": (0.8, 0.35), "unchanged": (0.4, None), "validate": (0.6, None)}


def print_startup(rows: list[dict[str, Any]]) -> None:
    print("\nstart-up (wall s, median), against the bare interpreter:")
    for r in rows:
        print(f"  {r['case']:<26} {r['seconds']:>7} s  {r['vs_python']:>6}×")
    met = all(r["seconds"] <= STARTUP_TARGET for r in rows if r["case"] in ("ubnd-sync --version", "ubnd-sync --help"))
    print(f"  target (--version and --help ≤ {STARTUP_TARGET} s):", "met" if met else "NOT met")


def print_province(rows: list[dict[str, Any]]) -> None:
    print("\nthe 118-unit demo province (wall s, median), against a naive pandas concatenation:")
    for r in rows:
        print(f"  {r['case']:<46} {r['seconds']:>7} s  {r['vs_pandas']:>6}×  {r['peak_mib']:>7} MiB")
    by_case = {r["case"]: r for r in rows}
    for case, (seconds, ratio) in PROVINCE_TARGETS.items():
        r = by_case[case]
        met = r["seconds"] <= seconds and (ratio is None or r["vs_pandas"] <= ratio)
        said = f"≤ {seconds} s" + (f" and ≤ {ratio}× pandas" if ratio is not None else "")
        print(f"  target {case} ({said}):", "met" if met else "NOT met")
