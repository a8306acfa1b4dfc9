#!/usr/bin/env python3
"""The national activity table of one year (referrals, closures, interviews, actions,
orientations by Paris month), computed by DuckDB scanning the facts Passerelle exported as
CSV — the comparison point of `passerelle-bench bench-report`. The CSV files are first turned into
Parquet (not timed); the query over Parquet is timed, best of three.

Usage: duckdb_activity.py FOLDER YEAR   (prints one JSON object)
Needs: pip install -r scripts/bench-requirements.txt
"""
import json
import sys
import time

try:
    import duckdb
except ImportError:
    print(json.dumps({"error": "duckdb absent : pip install -r scripts/bench-requirements.txt"}))
    sys.exit(0)

folder, year = sys.argv[1], int(sys.argv[2])
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
for name in ["cases", "interviews", "actions", "orientations"]:
    con.execute(
        f"COPY (SELECT * FROM read_csv('{folder}/{name}.csv', header = true, all_varchar = true)) "
        f"TO '{folder}/{name}.parquet' (FORMAT parquet)"
    )

PARIS_MONTH = "strftime(timezone('Europe/Paris', CAST({} AS TIMESTAMPTZ)), '%Y-%m')"
QUERY = f"""
WITH facts AS (
    SELECT 'referrals' AS indicator, {PARIS_MONTH.format('received_at')} AS month FROM '{folder}/cases.parquet'
    UNION ALL
    SELECT 'closures', {PARIS_MONTH.format('status_changed_at')} FROM '{folder}/cases.parquet' WHERE status = 'closed'
    UNION ALL
    SELECT 'interviews', substr(held_on, 1, 7) FROM '{folder}/interviews.parquet'
    UNION ALL
    SELECT 'actions', substr(done_on, 1, 7) FROM '{folder}/actions.parquet'
    UNION ALL
    SELECT 'orientations', substr(proposed_on, 1, 7) FROM '{folder}/orientations.parquet'
)
SELECT indicator, month, COUNT(*) AS n FROM facts
WHERE month BETWEEN '{year:04d}-01' AND '{year:04d}-12'
GROUP BY indicator, month ORDER BY indicator, month
"""

best = None
rows = []
for _ in range(3):
    started = time.perf_counter()
    rows = con.execute(QUERY).fetchall()
    elapsed = (time.perf_counter() - started) * 1000.0
    best = elapsed if best is None else min(best, elapsed)
print(json.dumps({"ms": best, "cells": [[i, m, n] for i, m, n in rows], "duckdb": duckdb.__version__}))
