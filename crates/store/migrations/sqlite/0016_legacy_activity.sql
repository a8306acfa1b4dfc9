-- Activity of the years before Passerelle (SQLite). Lockstep: ../postgres/0016.
-- A post's yearly totals as its old spreadsheet grid declared them: kept apart from the
-- computed rollups, with their provenance, and shown as such in the series.

CREATE TABLE legacy_activity (
    post_id TEXT NOT NULL REFERENCES posts (id),
    year BIGINT NOT NULL,
    indicator TEXT NOT NULL,
    count BIGINT NOT NULL,
    source_file TEXT NOT NULL,
    imported_by TEXT NOT NULL REFERENCES accounts (id),
    imported_at TEXT NOT NULL,
    PRIMARY KEY (post_id, year, indicator)
);
