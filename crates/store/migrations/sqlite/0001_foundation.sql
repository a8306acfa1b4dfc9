-- Foundation schema (SQLite). Kept in lockstep with ../postgres/0001_foundation.sql:
-- booleans are INTEGER 0/1, dates are ISO 8601 text, timestamps RFC 3339 UTC text, ids UUID text.

CREATE TABLE app_meta (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE regions (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE departements (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    population BIGINT NOT NULL
);

CREATE TABLE communes (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    departement_code TEXT NOT NULL REFERENCES departements (code),
    population BIGINT NOT NULL
);
CREATE INDEX communes_departement ON communes (departement_code, population);

CREATE TABLE units (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    force TEXT NOT NULL,
    name TEXT NOT NULL,
    parent_id TEXT REFERENCES units (id),
    departement_code TEXT REFERENCES departements (code),
    commune_code TEXT REFERENCES communes (code),
    created_at TEXT NOT NULL
);
CREATE INDEX units_parent ON units (parent_id);
CREATE INDEX units_departement ON units (departement_code, kind);

CREATE TABLE employers (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    departement_code TEXT NOT NULL REFERENCES departements (code),
    commune_code TEXT REFERENCES communes (code),
    created_at TEXT NOT NULL
);
CREATE INDEX employers_departement ON employers (departement_code);

CREATE TABLE posts (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    zone TEXT NOT NULL,
    departement_code TEXT NOT NULL REFERENCES departements (code),
    employer_id TEXT NOT NULL REFERENCES employers (id),
    fte DOUBLE PRECISION NOT NULL,
    status TEXT NOT NULL,
    created_on TEXT,
    closed_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX posts_departement ON posts (departement_code);
CREATE INDEX posts_dates ON posts (created_on, closed_on);

CREATE TABLE post_host_units (
    post_id TEXT NOT NULL REFERENCES posts (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    time_share_percent BIGINT NOT NULL,
    PRIMARY KEY (post_id, unit_id)
);
CREATE INDEX post_host_units_unit ON post_host_units (unit_id);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE account_roles (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    role TEXT NOT NULL,
    scope_id TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (account_id, role, scope_id)
);
