# Shared by start.sh and test.sh: find Python >= 3.11, make .venv, install the project.
# Usage: source scripts/_venv.sh; ensure_venv "" | ensure_venv "[dev]"
set -euo pipefail

find_python() {
  for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "OrderForge needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)." >&2
  return 1
}

ensure_venv() {
  local extras="$1"
  local python
  python=$(find_python)
  if [ ! -x .venv/bin/python ]; then
    echo "Creating virtual environment in .venv with $python"
    "$python" -m venv .venv
  fi
  # Reinstall only when pyproject.toml changed or other extras are asked for.
  local stamp=".venv/.orderforge-installed"
  local want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)$extras"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing OrderForge and its dependencies into .venv (first run takes a minute)"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".$extras"
    echo "$want" > "$stamp"
  fi
  .venv/bin/python scripts/fetch_assets.py || echo "Warning: front-end assets are missing; the schedule page shows its plan as a table until scripts/fetch_assets.py succeeds." >&2
}
