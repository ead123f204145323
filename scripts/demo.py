"""Set up .venv (first run), build the demo province (An Giang's 118 units) and sync it.

Usage: python scripts/demo.py [DIR] [ubnd-sync demo options, e.g. --seed 7]
(on Windows: py scripts\\demo.py). DIR is taken from the folder you run this in.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _venv  # noqa: E402 - beside this script, found through the line above


def main() -> int:
    _venv.need_python()
    try:
        python = _venv.ensure()
    except subprocess.CalledProcessError as e:
        _venv.say(f"Không cài đặt được .venv (lệnh trả mã {e.returncode}); xem thông báo ở trên.")
        return 1
    # run in the caller's folder: a relative DIR is relative to where the person is
    return subprocess.run([str(python), "-m", "sync", "demo", *sys.argv[1:]]).returncode


if __name__ == "__main__":
    sys.exit(main())
