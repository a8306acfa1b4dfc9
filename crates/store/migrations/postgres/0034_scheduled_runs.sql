-- The daily jobs (retention purge, backups, rollup check) when several
-- app servers share one database (PostgreSQL). Lockstep: ../sqlite/0034.
-- One row per job and Paris day: the server that inserts it runs the job that day, the others
-- skip it. A failed run deletes its row, so that the next tick tries again.
CREATE TABLE scheduled_runs (
    job TEXT NOT NULL,
    day TEXT NOT NULL,
    server TEXT NOT NULL,
    started_at TEXT NOT NULL,
    PRIMARY KEY (job, day)
);
