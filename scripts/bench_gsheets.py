"""scripts/bench --gsheets: the Google path on a 118-unit province, Google's quotas on (README, Performance).

The province: the demo's unit workbooks (whatever the demo makes: tabs named otherwise, merges,
damaged files), cycled to one workbook per unit of the An Giang 2025 list (118 codes), loaded
into the emulator; then Google's published quotas are switched on (``Quota preset "google"``:
Sheets 60 reads + 60 writes a minute per account, Drive 12 000 queries) and, in one run:

- this branch (Drive ``files.export`` per unit): full sync, nothing changed (same as-of), one
  unit changed;
- the previous path, the code of ``git merge-base HEAD main`` (values:batchGet per unit), taken
  with ``git archive`` into the work folder and run the same way;
- a naive gspread script: per unit ``open_by_key`` + ``worksheet`` + ``get_all_values``, then
  the summary in one update.

Every run is a fresh process with a fresh quota window; requests are counted by the emulator.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
UNITS_CSV = (
    ROOT / "sync" / "data" / "an-giang-2025-units.csv",
    ROOT.parent.parent / "shared" / "data" / "an-giang-2025-units.csv",
)
CLI = "import sys; from sync.cli import cli; sys.argv[0] = 'ubnd-sync'; cli()"

NAIVE = r"""
import json, sys, tomllib
import gspread
from google.auth.transport.requests import AuthorizedSession
from google.oauth2.service_account import Credentials
from google_emulator.client import connect_session
# The naive way: per unit open_by_key + worksheet + get_all_values, then the summary in one update.
cfg = tomllib.loads(open(sys.argv[1], encoding="utf-8").read())
creds = Credentials.from_service_account_file(sys.argv[2], scopes=["https://www.googleapis.com/auth/spreadsheets",
                                                                    "https://www.googleapis.com/auth/drive.readonly"])
session = connect_session(AuthorizedSession(creds), cfg["gsheets"]["endpoint"])
gc = gspread.Client(auth=creds, session=session, http_client=gspread.BackOffHTTPClient)
rows, failed = [], 0
for unit in cfg["units"]:
    try:
        ws = gc.open_by_key(unit["source"]).worksheet(cfg["sync"].get("sheet", "Nhiệm vụ"))
        rows += [[unit["code"], *r] for r in ws.get_all_values()]
    except Exception as e:
        failed += 1
summary = gc.open_by_key(cfg["sync"]["summary"]).sheet1
summary.resize(rows=len(rows) + 1, cols=max(len(r) for r in rows))
summary.update(rows, "A1", value_input_option="RAW")
print(json.dumps({"unreadable": failed}))
session.close()
"""


def unit_list(count: int = 118) -> list[tuple[str, str]]:
    """(code, name) of the An Giang 2025 units; generated codes when the list is not at hand."""
    for path in UNITS_CSV:
        if path.exists():
            with path.open(encoding="utf-8", newline="") as fh:
                return [(r["code"], r["name"]) for r in csv.DictReader(fh)][:count]
    return [(f"DV{i:03d}", f"Đơn vị {i:03d}") for i in range(count)]


def make_province(directory: Path) -> tuple[Path, Any]:
    """The demo's unit workbooks cycled to the 118 units; (xlsx config, as-of)."""
    from sync.demo import make_demo

    demo = make_demo(directory / "demo")
    books = sorted((demo.directory / "units").glob("*.xlsx"))
    units = directory / "units"
    units.mkdir(parents=True, exist_ok=True)
    lines = ["[sync]", 'summary = "out/tong-hop.xlsx"', ""]
    for i, (code, name) in enumerate(unit_list()):
        shutil.copyfile(books[i % len(books)], units / f"{code}.xlsx")
        lines += ["[[units]]", f"code = {json.dumps(code)}", f"name = {json.dumps(name, ensure_ascii=False)}"]
        lines += [f'source = "units/{code}.xlsx"', ""]
    config = directory / "ubnd-sync.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    return config, demo.as_of


def previous_code(work: Path) -> tuple[Path, str]:
    """The sync package as on main when this branch started (``git merge-base HEAD main``)."""
    base = subprocess.run(
        ["git", "-C", str(ROOT), "merge-base", "HEAD", "main"], capture_output=True, text=True, check=True
    ).stdout.strip()
    target = work / f"main-{base[:8]}"
    if not (target / "sync").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", base, "sync"], capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target, base[:8]


def _variant(gs_config: Path, name: str) -> Path:
    """A folder of its own (state, cache, history) with the same spreadsheets."""
    d = gs_config.parent / name
    d.mkdir(exist_ok=True)
    shutil.copyfile(gs_config, d / gs_config.name)
    key = gs_config.parent / "service-account.json"
    shutil.copyfile(key, d / key.name)
    return d / gs_config.name


def bench_gsheets(work: Path) -> list[dict[str, Any]]:
    import tomllib

    from google_emulator import Emulator
    from google_emulator.demo import load_demo_into_emulator

    directory = work / "gsheets-118"
    if directory.exists():
        shutil.rmtree(directory)
    config, as_of = make_province(directory)
    old_src, base = previous_code(work)
    out: list[dict[str, Any]] = []
    with Emulator() as emulator:
        gs_config = load_demo_into_emulator(directory, config, emulator)
        units = len(tomllib.loads(gs_config.read_text(encoding="utf-8"))["units"])
        new_cfg, old_cfg = _variant(gs_config, "this-branch"), _variant(gs_config, "previous")

        def sync(cfg: Path, src: Path) -> list[str]:
            env_cmd = [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(src)!r}); " + CLI]
            return env_cmd + ["sync", "-c", str(cfg), "--as-of", as_of.isoformat(), "--json", "--quiet"]

        def run(name: str, cmd: list[str]) -> None:
            emulator.reset_stats()
            emulator.quota.configure(preset="google")  # Google's quotas, a fresh window for each run
            start = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True)
            wall = time.perf_counter() - start
            if proc.returncode not in (0, 3):
                raise SystemExit(f"{name} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
            out.append(_row(name, wall, emulator.stats_json(), proc.stdout, units))

        run("this branch: full sync", sync(new_cfg, ROOT))
        run(f"previous ({base}): full sync", sync(old_cfg, old_src))
        run("this branch: nothing changed", sync(new_cfg, ROOT))
        run(f"previous ({base}): nothing changed", sync(old_cfg, old_src))
        first = tomllib.loads(gs_config.read_text(encoding="utf-8"))["units"][0]["source"]
        title = emulator.spreadsheet_json(first)["sheets"][-1]["properties"]["title"]
        emulator.set_values(first, f"'{title}'!L5", [["Đã họp lần 2, hoàn thiện dự thảo"]], "RAW")
        run("this branch: one unit changed", sync(new_cfg, ROOT))
        run(f"previous ({base}): one unit changed", sync(old_cfg, old_src))
        key = gs_config.parent / "service-account.json"
        run("naive gspread script: full", [sys.executable, "-c", NAIVE, str(gs_config), str(key)])
    return out


def _row(name: str, wall: float, stats: dict[str, Any], stdout: str, units: int) -> dict[str, Any]:
    by = stats["by_endpoint"]
    api = {k: v for k, v in by.items() if not k.endswith("oauth2.token")}
    try:
        doc = json.loads(stdout)
        unreadable = (
            doc["unreadable"]
            if "unreadable" in doc
            else sum(1 for u in doc["units"] if u["report_status"] == "unreadable")
        )
    except (ValueError, KeyError, TypeError):
        unreadable = -1
    statuses = stats["by_status"]
    sheets_reads = sum(v for k, v in api.items() if k.startswith("GET sheets."))
    return {
        "run": name,
        "seconds": round(wall, 1),
        "requests": sum(api.values()),
        "token": sum(by.values()) - sum(api.values()),
        "drive_export": api.get("GET drive.files.export", 0),
        "sheets_reads": sheets_reads,
        "sheets_writes": sum(v for k, v in api.items() if k.startswith(("POST sheets.", "PUT sheets."))),
        "quota_refusals": statuses.get("429", 0) + statuses.get("403", 0),
        "unreadable": unreadable,
        "units": units,
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    print(
        f"\nGoogle path, {rows[0]['units']} units, emulator with Google's quotas on (Sheets 60+60/min/user):"
    )
    print(
        f"  {'run':<36} {'wall s':>7} {'API req':>7} {'export':>6} {'S read':>6} {'S write':>7} {'429/403':>7} {'unreadable':>10}"
    )
    for r in rows:
        print(
            f"  {r['run']:<36} {r['seconds']:>7} {r['requests']:>7} {r['drive_export']:>6} {r['sheets_reads']:>6} "
            f"{r['sheets_writes']:>7} {r['quota_refusals']:>7} {r['unreadable']:>10}"
        )
    full, same, one = rows[0], rows[2], rows[4]
    print(
        f"  targets: full ≤ 45 s: {'met' if full['seconds'] <= 45 else 'NOT met'}; nothing changed = 1 request: "
        f"{'met' if same['requests'] == 1 else 'NOT met'}; one changed ≤ 3: {'met' if one['requests'] <= 3 else 'NOT met'}"
    )


if __name__ == "__main__":
    work = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench-out"
    rows = bench_gsheets(work)
    print(json.dumps(rows, ensure_ascii=False, indent=1) if os.environ.get("BENCH_JSON") else "", end="")
    print_table(rows)
