-- Household links between the persons of a post (SQLite). Lockstep: ../postgres/0012.
-- One row per pair; the relation reads from person_id to other_id (other_id is the child of
-- person_id, its partner…); the reverse is computed when read from the other side.

CREATE TABLE person_links (
    person_id TEXT NOT NULL REFERENCES persons (id),
    other_id TEXT NOT NULL REFERENCES persons (id),
    relation TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (person_id, other_id)
);
CREATE INDEX person_links_other ON person_links (other_id);
