"""Create or reuse .venv and install ubnd-sync into it, with nothing but Python's standard library.

Used by scripts/test.py and scripts/demo.py (and, through scripts/_venv.sh, by the bash
scripts), on Linux, macOS and Windows alike. Reinstalls only when pyproject.toml changed.
Run on its own (``python scripts/_venv.py``) it only sets up, then prints the interpreter.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".ubnd-sync-installed"


def need_python() -> None:
    """Stop with a Vietnamese message on a Python older than 3.11."""
    if sys.version_info < (3, 11):
        sys.stderr.write(
            "Cần Python 3.11 trở lên (đang dùng %d.%d). Cài Python mới từ python.org rồi chạy lại.\n"
            % sys.version_info[:2]
        )
        sys.exit(2)


def venv_python() -> Path:
    """The virtual environment's interpreter: Scripts\\python.exe on Windows, bin/python elsewhere."""
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def say(text: str) -> None:
    """A progress line on stderr that never fails on a console that cannot show Vietnamese."""
    stream = sys.stderr
    encoding = getattr(stream, "encoding", None) or "ascii"
    stream.write(text.encode(encoding, "replace").decode(encoding) + "\n")
    stream.flush()


def ensure() -> Path:
    """Set up .venv (first run, or pyproject.toml changed); returns its interpreter."""
    need_python()
    python = venv_python()
    if not python.exists():
        say("Tạo môi trường ảo .venv ...")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    have = STAMP.read_text(encoding="utf-8").strip() if STAMP.exists() else ""
    if have != want:
        say("Cài đặt ubnd-sync và các thư viện cần thiết vào .venv ...")
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True, cwd=ROOT, stdout=sys.stderr)
        subprocess.run([*pip, "-e", ".[dev]"], check=True, cwd=ROOT, stdout=sys.stderr)
        STAMP.write_text(want + "\n", encoding="utf-8")
    return python


if __name__ == "__main__":
    try:
        print(ensure())
    except subprocess.CalledProcessError as e:
        say(f"Không cài đặt được .venv (lệnh trả mã {e.returncode}); xem thông báo ở trên.")
        sys.exit(1)
