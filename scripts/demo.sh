#!/usr/bin/env bash
# Runs Passerelle on a fresh embedded SQLite database filled with demonstration data.
# Extra arguments go to `passerelle serve` (e.g. --listen 0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/assets.sh
exec cargo run --release --quiet --bin passerelle -- serve --demo "$@"
