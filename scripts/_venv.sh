# Sourced by scripts/*: create or reuse .venv and install the project with its dev extras.
# Needs nothing but Python >= 3.11. Reinstalls only when pyproject.toml changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Cần Python 3.11 trở lên (đặt biến PYTHON=/đường/dẫn/python3.11)." >&2
  exit 2
fi
if [ ! -x .venv/bin/python ]; then
  echo "Tạo môi trường ảo .venv ..." >&2
  "$PY" -m venv .venv
fi
STAMP=".venv/.ubnd-sync-installed"
WANT="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  echo "Cài đặt ubnd-sync và các thư viện cần thiết vào .venv ..." >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]" >&2
  echo "$WANT" > "$STAMP"
fi
