-- The partner directory of each département (SQLite). Lockstep: ../postgres/0010.
-- Organisations, not persons: nothing is sealed.

CREATE TABLE partners (
    id TEXT PRIMARY KEY NOT NULL,
    departement_code TEXT NOT NULL REFERENCES departements (code),
    partner_type TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT,
    phone TEXT,
    email TEXT,
    hours TEXT,
    website TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- One partner per name in a département: a new import of the same name updates it.
CREATE UNIQUE INDEX partners_name ON partners (departement_code, name);
CREATE INDEX partners_type ON partners (departement_code, partner_type, name);
