#!/usr/bin/env bash
# Install everything the tests need, then run lint, types, the import contract and all tests.
# Extra arguments go to pytest (e.g. tests/unit -x). CI=true makes PostgreSQL and the
# browser tests required instead of skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv "[dev]"

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "Installing Debian's chromium for the browser tests"
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Note: /usr/bin/chromium is missing and cannot be installed here; browser tests will skip."
    echo "      Install it with: sudo apt-get install chromium"
  fi
fi

echo "== ruff"; .venv/bin/ruff check src tests benchmarks; .venv/bin/ruff format --check src tests benchmarks
echo "== mypy"; .venv/bin/mypy
echo "== import contracts"; .venv/bin/lint-imports
# One worker per core, at most 4; each test file runs whole on one worker, so a module's
# demo plant is loaded once. ORDERFORGE_TEST_WORKERS=0 runs in this process (for pdb).
echo "== pytest"
.venv/bin/pytest -n "${ORDERFORGE_TEST_WORKERS:-auto}" --maxprocesses=4 --dist loadfile "$@"
