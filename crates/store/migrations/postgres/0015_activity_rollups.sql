-- Activity statistics kept up to date with the work (PostgreSQL). Lockstep: ../sqlite/0015.
-- activity_rollups: one count per (post, Paris month, indicator, dimension, value), what the
-- dashboards and reports read. case_contributions: what each case currently adds to them, so
-- that a write to a case changes the rollups by the difference (store::rollup::refresh_case),
-- in the write's transaction. Codes and months only: nothing identifies a person.

CREATE TABLE activity_rollups (
    post_id TEXT NOT NULL REFERENCES posts (id),
    month TEXT NOT NULL,
    indicator TEXT NOT NULL,
    dimension TEXT NOT NULL,
    value TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (post_id, month, indicator, dimension, value)
);
CREATE INDEX activity_rollups_report ON activity_rollups (indicator, dimension, month);

CREATE TABLE case_contributions (
    case_id TEXT NOT NULL REFERENCES cases (id),
    post_id TEXT NOT NULL,
    month TEXT NOT NULL,
    indicator TEXT NOT NULL,
    dimension TEXT NOT NULL,
    value TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (case_id, post_id, month, indicator, dimension, value)
);
