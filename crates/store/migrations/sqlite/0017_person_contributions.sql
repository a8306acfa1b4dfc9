-- Person-based activity statistics (SQLite). Lockstep: ../postgres/0017.
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
