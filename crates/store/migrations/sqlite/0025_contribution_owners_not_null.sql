-- A contribution set always has its owner (SQLite). Lockstep: ../postgres/0025.
-- In SQLite a PRIMARY KEY column accepts NULL unless it also says NOT NULL (a quirk SQLite
-- keeps for compatibility; not in WITHOUT ROWID tables nor for INTEGER PRIMARY KEY), where
-- PostgreSQL refuses it: 0018 left NOT NULL out of case_id and person_id, and the schema
-- comparison (tests/schema.rs) found it. SQLite cannot add NOT NULL to a column, so both
-- tables are rebuilt as 0018 meant them. A set without an owner counts for nobody (the
-- rollups find sets by their case or person), so none is carried over.

CREATE TABLE case_contribution_sets_rebuilt (
    case_id TEXT PRIMARY KEY NOT NULL REFERENCES cases (id),
    cells TEXT NOT NULL
);
INSERT INTO case_contribution_sets_rebuilt (case_id, cells)
    SELECT case_id, cells FROM case_contribution_sets WHERE case_id IS NOT NULL;
DROP TABLE case_contribution_sets;
ALTER TABLE case_contribution_sets_rebuilt RENAME TO case_contribution_sets;

CREATE TABLE person_contribution_sets_rebuilt (
    person_id TEXT PRIMARY KEY NOT NULL REFERENCES persons (id),
    cells TEXT NOT NULL
);
INSERT INTO person_contribution_sets_rebuilt (person_id, cells)
    SELECT person_id, cells FROM person_contribution_sets WHERE person_id IS NOT NULL;
DROP TABLE person_contribution_sets;
ALTER TABLE person_contribution_sets_rebuilt RENAME TO person_contribution_sets;
