"""scripts/bench --init: ``init`` on Google for the 118-unit province, emulator with Google's quotas on.

The An Giang 2025 unit list (``sync/data/an-giang-2025-units.csv``), each unit with one address
(``<code>@angiang.gov.vn``: the list has none, and sharing is part of the cost), the Office's
account a service account of the emulator. Runs, each a fresh process and a fresh quota window
(``Quota preset "google"``: Sheets 60 writes a minute per account, Drive 12 000 queries):

- first run: nothing exists;
- re-run: the state file says everything is there;
- re-run without the state file (deleted, or init run from another computer): found by title;
- stopped half way (the process killed after 60 units), then resumed.

Requests are counted by the emulator; the figures go in the README (Google, ``init``).
"""

from __future__ import annotations

import csv
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
UNITS_CSV = ROOT / "sync" / "data" / "an-giang-2025-units.csv"

RUN = r"""
import csv, json, os, sys
from pathlib import Path
sys.path.insert(0, sys.argv[4])
from sync.backends.gsheets.client import INIT_SCOPES, GoogleClient
from sync.backends.gsheets.create import init_google
from sync.shapes.books import UnitSpec
from google_emulator.client import credentials
config_dir, key, endpoint, _, stop_after = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
with open(sys.argv[6], encoding="utf-8", newline="") as fh:
    units = [UnitSpec(r["code"], r["name"], r["kind"], emails=(r["code"].lower() + "@angiang.gov.vn",))
             for r in csv.DictReader(fh)]
def progress(code, done, total):
    if stop_after and done == stop_after:
        os.kill(os.getpid(), 9)  # the process dies: no cleanup, no state write after this
client = GoogleClient(credentials(json.loads(Path(key).read_text(encoding="utf-8")), INIT_SCOPES), endpoint=endpoint)
report, ids = init_google(units, config_dir=config_dir, client=client, progress=progress)
print(json.dumps({"created": len(report.created), "found": len(report.found), "shared": len(report.shared),
                  "problems": len(report.problems), "requests": report.requests, "units": len(ids["units"])}))
"""


def unit_count() -> int:
    with UNITS_CSV.open(encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def bench_init(work: Path) -> list[dict[str, Any]]:
    from google_emulator import Emulator
    from sync.atomic import atomic_write_bytes

    directory = work / "init-118"
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    out: list[dict[str, Any]] = []
    with Emulator() as emulator:
        key = directory / "service-account.json"
        account = emulator.create_service_account("ubnd-sync@ubnd-tinh.iam.gserviceaccount.com")
        atomic_write_bytes(key, json.dumps(account).encode("utf-8"), mode=0o600)  # a key: owner only
        config_dir = directory / "config"
        config_dir.mkdir()

        def run(name: str, stop_after: int = 0, folder: Path = config_dir) -> None:
            emulator.reset_stats()
            emulator.quota.configure(preset="google")  # Google's quotas, a fresh window for each run
            cmd = [sys.executable, "-c", RUN, str(folder), str(key), emulator.url, str(ROOT), str(stop_after)]
            start = time.perf_counter()
            proc = subprocess.run([*cmd, str(UNITS_CSV)], capture_output=True, text=True)
            wall = time.perf_counter() - start
            killed = proc.returncode == -signal.SIGKILL
            if proc.returncode != 0 and not (stop_after and killed):
                raise SystemExit(f"{name} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
            stats = emulator.stats_json()
            by = {k: v for k, v in stats["by_endpoint"].items() if not k.endswith("oauth2.token")}
            doc = json.loads(proc.stdout) if proc.stdout.strip() else {}
            out.append(
                {
                    "run": name,
                    "seconds": round(wall, 1),
                    "requests": sum(by.values()),
                    "creates": by.get("POST sheets.spreadsheets.create", 0),
                    "drive_list": by.get("GET drive.files.list", 0),
                    "permissions": sum(v for k, v in by.items() if " drive.permissions." in k),
                    "files_get": by.get("GET drive.files.get", 0),
                    "quota_refusals": stats["by_status"].get("429", 0) + stats["by_status"].get("403", 0),
                    "created": doc.get("created", "—"),
                    "found": doc.get("found", "—"),
                    "spreadsheets": sum(1 for _ in emulator.state.files.values()),
                }
            )

        run("first run (nothing there)")
        run("re-run (state file)")
        (config_dir / ".ubnd-sync-init.json").unlink()
        run("re-run without state file")
        other = directory / "config-stopped"
        other.mkdir()
        emulator.reset()
        run("stopped after 60 units (killed)", stop_after=62, folder=other)
        run("resumed", folder=other)
    return out


def print_init_table(rows: list[dict[str, Any]]) -> None:
    print(f"\ninit on Google, {unit_count()} units + register + summary, emulator with Google's quotas on:")
    print(
        f"  {'run':<34} {'wall s':>7} {'API req':>7} {'create':>6} {'list':>4} {'get':>3} {'perm':>4} {'429/403':>7} "
        f"{'created':>7} {'found':>5} {'files':>5}"
    )
    for r in rows:
        print(
            f"  {r['run']:<34} {r['seconds']:>7} {r['requests']:>7} {r['creates']:>6} {r['drive_list']:>4} {r['files_get']:>3} "
            f"{r['permissions']:>4} {r['quota_refusals']:>7} {r['created']!s:>7} {r['found']!s:>5} "
            f"{r['spreadsheets']:>5}"
        )
