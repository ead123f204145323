# Sourced by the bash scripts: set up .venv with scripts/_venv.py (the one place that does it,
# also used on Windows), then work from the repository's folder.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"${PYTHON:-python3}" "$ROOT/scripts/_venv.py" >/dev/null
cd "$ROOT"
