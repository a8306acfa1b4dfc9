-- Person-based activity statistics, and a covering index for the reports (PostgreSQL). Lockstep: ../sqlite/0017.
-- What each person of a post currently adds to activity_rollups (persons received once a
-- year, by sex, age band and whether a social service knew them; recurrences), so that a
-- write changes the rollups by the difference (store::rollup::refresh_person), in the write's
-- transaction. Codes and months only: nothing identifies a person.

CREATE TABLE person_contributions (
    person_id TEXT NOT NULL REFERENCES persons (id),
    post_id TEXT NOT NULL,
    month TEXT NOT NULL,
    indicator TEXT NOT NULL,
    dimension TEXT NOT NULL,
    value TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (person_id, post_id, month, indicator, dimension, value)
);

-- A report sums one indicator's cells over months and posts: with every column it reads in
-- the index, it never visits the table (the national report reads tens of thousands of cells).
CREATE INDEX activity_rollups_covering ON activity_rollups (indicator, dimension, month, value, post_id, count);
DROP INDEX activity_rollups_report;
