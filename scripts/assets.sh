#!/usr/bin/env bash
# Installs the pinned npm packages (when needed) and generates the front-end assets and the
# official referentials from them: crates/web/assets/vendor/ and crates/store/referentials/*.csv.
# Runnable from any directory. Quiet on success except one summary line.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "assets.sh: node and npm are required (Debian: apt-get install -y nodejs npm)" >&2
    exit 1
fi

# @gouvfr/dsfr's preinstall script refuses a plain install: never run install scripts.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    log="$(mktemp)"
    if ! npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "assets.sh: npm ci failed" >&2
        exit 1
    fi
    rm -f "$log"
fi

exec node scripts/build-assets.mjs "$@"
