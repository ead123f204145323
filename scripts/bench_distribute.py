"""scripts/bench --distribute: ``ubnd-sync distribute`` on the 118-unit province (README, Handing out tasks).

The province of ``scripts/bench_gsheets.py`` (the demo's workbooks cycled to the An Giang 2025
units) with a register of 2 new tasks per unit (every other one with the next unit as co-unit),
on both backends:

- .xlsx: first run (adds 236 tasks, writes the co-units' ``Phối hợp`` tabs), second run (adds
  nothing);
- Google, loaded into the emulator with Google's quotas on (Sheets 60 reads + 60 writes a
  minute per account): the same two runs, requests counted by the emulator.

Every run is a fresh process (and on Google a fresh quota window).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench_gsheets import CLI, make_province  # noqa: E402

TASKS_PER_UNIT = 2


def add_register(directory: Path, config: Path) -> Path:
    """A register workbook with TASKS_PER_UNIT new tasks per unit; the config with [register]."""
    import tomllib

    from sync.schema import register_schema

    units = tomllib.loads(config.read_text(encoding="utf-8"))["units"]
    schema = register_schema()
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = schema.tab
    ws.append([schema.title])
    ws.append([f.title for f in schema.fields])
    for i, unit in enumerate(units):
        for n in range(1, TASKS_PER_UNIT + 1):
            co = units[(i + 1) % len(units)]["name"] if n % 2 else None
            row = {
                "task_id": f"GIAO-2024-{unit['code']}-{n}",
                "doc_ref": f"{100 + n}/UBND-TH",
                "doc_date": "01/11/2024",
                "summary": f"Nhiệm vụ mới số {n} giao {unit['name']}",
                "assigner": "Chủ tịch UBND tỉnh",
                "lead_unit": unit["name"],
                "co_units": co,
                "deadline": "31/12/2024",
            }
            ws.append([row.get(f.name) for f in schema.fields])
    wb.save(directory / "danh-muc.xlsx")
    text = config.read_text(encoding="utf-8").replace(
        "[sync]\n", '[register]\nsource = "danh-muc.xlsx"\n\n[sync]\n', 1
    )
    config.write_text(text, encoding="utf-8")
    return config


def register_on_google(directory: Path, config: Path, emulator: Any) -> Path:
    """The province and its register loaded into the emulator; the service account may edit units."""
    from google_emulator.demo import SERVICE_ACCOUNT, load_demo_into_emulator

    gpath = load_demo_into_emulator(directory, config, emulator)
    for sid in re.findall(r'^source = "([^"]+)"$', gpath.read_text(encoding="utf-8"), flags=re.M):
        emulator.share(sid, SERVICE_ACCOUNT, "writer")
    return gpath


def _distribute(cfg: Path, as_of: Any) -> list[str]:
    return [sys.executable, "-c", CLI, "distribute", "-c", str(cfg), "--as-of", as_of.isoformat(), "--json"]


def _row(name: str, wall: float, stdout: str, stats: dict[str, Any] | None) -> dict[str, Any]:
    doc = json.loads(stdout)
    statuses = [u["status"] for u in doc["units"]]
    row: dict[str, Any] = {
        "run": name,
        "seconds": round(wall, 1),
        "units": len(statuses),
        "added": doc["added"],
        "units_added": statuses.count("added"),
        "coop_tabs": sum(1 for u in doc["units"] if u["coop"] and u["status"] == "added"),
        "not_written": sum(1 for s in statuses if s in ("skipped", "refused", "failed")),
    }
    if stats is not None:
        api = {k: v for k, v in stats["by_endpoint"].items() if not k.endswith("oauth2.token")}
        row["requests"] = sum(api.values())
        row["sheets_reads"] = sum(v for k, v in api.items() if k.startswith("GET sheets."))
        row["sheets_writes"] = sum(v for k, v in api.items() if k.startswith(("POST sheets.", "PUT sheets.")))
        row["drive"] = sum(v for k, v in api.items() if " drive." in k)
        row["quota_refusals"] = stats["by_status"].get("429", 0)
    return row


def bench_distribute(work: Path) -> list[dict[str, Any]]:
    from google_emulator import Emulator

    directory = work / "distribute-118"
    if directory.exists():
        shutil.rmtree(directory)
    config, as_of = make_province(directory)
    add_register(directory, config)
    out: list[dict[str, Any]] = []

    def run(name: str, cmd: list[str], emulator: Any = None) -> None:
        if emulator is not None:
            emulator.reset_stats()
            emulator.quota.configure(preset="google")  # Google's quotas, a fresh window for each run
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{name} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
        out.append(_row(name, wall, proc.stdout, None if emulator is None else emulator.stats_json()))

    with Emulator() as emulator:
        gpath = register_on_google(directory, config, emulator)
        run("Google: first run", _distribute(gpath, as_of), emulator)
        run("Google: second run (adds nothing)", _distribute(gpath, as_of), emulator)
    run(".xlsx: first run", _distribute(config, as_of))
    run(".xlsx: second run (adds nothing)", _distribute(config, as_of))
    return out


def print_distribute(rows: list[dict[str, Any]]) -> None:
    print(
        f"\ndistribute, {rows[0]['units']} units, {TASKS_PER_UNIT} new tasks each (Google: emulator, Google's quotas on):"
    )
    print(
        f"  {'run':<36} {'wall s':>7} {'added':>6} {'units':>6} {'Phối hợp':>8} {'not written':>11} {'API req':>7} {'S read':>6} {'S write':>7} {'Drive':>5} {'429':>4}"
    )
    for r in rows:
        print(
            f"  {r['run']:<36} {r['seconds']:>7} {r['added']:>6} {r['units_added']:>6} {r['coop_tabs']:>8} {r['not_written']:>11} "
            f"{r.get('requests', '-'):>7} {r.get('sheets_reads', '-'):>6} {r.get('sheets_writes', '-'):>7} {r.get('drive', '-'):>5} {r.get('quota_refusals', '-'):>4}"
        )


if __name__ == "__main__":
    rows = bench_distribute(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench-out")
    print_distribute(rows)
