#!/usr/bin/env bash
# Install and run OrderForge on the embedded SQLite database with the demo plant loaded.
# Extra arguments go to `orderforge serve` (e.g. --port 8080). Data lives in ./var/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv ""
.venv/bin/orderforge db upgrade
.venv/bin/orderforge demo load --if-empty
.venv/bin/orderforge plan run --time-limit 5 --if-none
exec .venv/bin/orderforge serve "$@"
