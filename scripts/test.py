"""Set up .venv (first run) and run the whole check: ruff, vulture, mypy on sync/ and google_emulator/, pytest.

Usage: python scripts/test.py [pytest arguments, e.g. -k validate -x]
(on Windows: py scripts\\test.py). Stops at the first check that fails, with its exit code.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _venv  # noqa: E402 - beside this script, found through the line above

CODE = ["sync", "google_emulator", "tests", "sheets_schema"]
PACKAGES = ["sync", "google_emulator"]  # what vulture and mypy check


def checks(python: str, pytest_args: list[str]) -> list[tuple[str, list[str]]]:
    return [
        ("ruff", [python, "-m", "ruff", "check", *CODE]),
        ("ruff format", [python, "-m", "ruff", "format", "--check", *CODE]),
        # Names used only by libraries or tests are listed, with the reason, in scripts/vulture_whitelist.py.
        ("vulture (dead code)", [python, "-m", "vulture", *PACKAGES, "scripts/vulture_whitelist.py"]),
        ("mypy", [python, "-m", "mypy", *PACKAGES]),
        ("pytest", [python, "-m", "pytest", "-p", "no:cacheprovider", *pytest_args]),
    ]


def main() -> int:
    _venv.need_python()
    try:
        python = str(_venv.ensure())
    except subprocess.CalledProcessError as e:
        _venv.say(f"Không cài đặt được .venv (lệnh trả mã {e.returncode}); xem thông báo ở trên.")
        return 1
    for name, command in checks(python, sys.argv[1:]):
        _venv.say(f"== {name}")
        if name == "pytest" and not (shutil.which("soffice") or shutil.which("libreoffice")):
            _venv.say(
                "LibreOffice (soffice) is not installed: the tests that open files with it will be "
                "skipped (CI installs it)."
            )
        code = subprocess.run(command, cwd=_venv.ROOT).returncode
        if code != 0:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
