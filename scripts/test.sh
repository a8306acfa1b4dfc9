#!/usr/bin/env bash
# Runs every test of Passerelle: domain (unit + property), store and web on SQLite AND
# PostgreSQL, the command line, and the browser tests in headless Chromium.
# Needs PostgreSQL at TEST_DATABASE_URL (default: postgres://postgres@127.0.0.1:5432/postgres)
# and /usr/bin/chromium; .ci/run installs and starts both on a fresh machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/assets.sh

# Independent parsers the tests check our documents with (Python's icalendar for the feeds).
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r scripts/test-requirements.txt

export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
# PostgreSQL is never skipped (crates/store/src/testing.rs): a missing server fails the tests.

# Test databases left behind by an interrupted run.
if command -v psql >/dev/null 2>&1; then
    psql "$TEST_DATABASE_URL" -tAc "SELECT datname FROM pg_database WHERE datname LIKE 'passerelle_test_%' OR datname LIKE 'passerelle_cli_%'" 2>/dev/null |
        while read -r name; do
            [ -n "$name" ] && psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null
        done
fi

echo "== Rust tests (domain, store, web, CLI) on SQLite and PostgreSQL"
if command -v cargo-nextest >/dev/null 2>&1; then
    cargo nextest run --workspace --no-fail-fast
else
    cargo test --workspace --no-fail-fast
fi

echo "== Browser tests (headless Chromium, axe)"
cargo build --quiet --bin passerelle
PASSERELLE_BIN="$PWD/target/debug/passerelle" node --test --test-concurrency=1 e2e/
