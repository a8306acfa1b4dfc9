-- The persons a post follows (PostgreSQL). Lockstep: ../sqlite/0009.
-- Identity is sealed; sex, age band at intake and "known to a social service" stay clear for
-- the statistics. Duplicate search goes through person_keys: blind indexes (keyed hashes) of
-- each person's sound keys and birth dates, never the names themselves.

CREATE TABLE persons (
    id TEXT PRIMARY KEY NOT NULL,
    post_id TEXT NOT NULL REFERENCES posts (id),
    identity_sealed BYTEA,
    sex TEXT NOT NULL,
    age_band TEXT,
    known_to_social_services TEXT NOT NULL,
    merged_into TEXT REFERENCES persons (id),
    purged_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX persons_post ON persons (post_id, created_at);

CREATE TABLE person_keys (
    post_id TEXT NOT NULL REFERENCES posts (id),
    key_hash TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    PRIMARY KEY (post_id, key_hash, person_id)
);
CREATE INDEX person_keys_person ON person_keys (person_id);

-- A person of a case is, once identified, one of the post's persons.
ALTER TABLE case_persons ADD COLUMN person_id TEXT REFERENCES persons (id);
CREATE INDEX case_persons_person ON case_persons (person_id);
