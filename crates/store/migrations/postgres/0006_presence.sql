-- Presence schedules, appointments and calendar feeds (PostgreSQL). Lockstep: ../sqlite/0006.
-- Slots are civil times (HH:MM) in the slot's time zone; appointments are UTC instants
-- (RFC 3339 text), so that ordering and overlap checks compare text directly.

CREATE TABLE presence_slots (
    id TEXT PRIMARY KEY NOT NULL,
    post_id TEXT NOT NULL REFERENCES posts (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    weekday BIGINT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX presence_slots_post ON presence_slots (post_id);
CREATE INDEX presence_slots_unit ON presence_slots (unit_id);

CREATE TABLE presence_absences (
    id TEXT PRIMARY KEY NOT NULL,
    post_id TEXT NOT NULL REFERENCES posts (id),
    kind TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX presence_absences_post ON presence_absences (post_id, ends_on);

-- One temporary notice per post ("Absente jusqu'au …"), shown until its last day.
CREATE TABLE presence_notices (
    post_id TEXT PRIMARY KEY NOT NULL REFERENCES posts (id),
    message TEXT NOT NULL,
    until TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- The person and the safe-contact instructions are sealed by the application.
CREATE TABLE appointments (
    id TEXT PRIMARY KEY NOT NULL,
    post_id TEXT NOT NULL REFERENCES posts (id),
    unit_id TEXT REFERENCES units (id),
    mode TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    person_sealed BYTEA NOT NULL,
    safe_contact_sealed BYTEA NOT NULL,
    visio_room TEXT UNIQUE,
    booked_by TEXT NOT NULL REFERENCES accounts (id),
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX appointments_post ON appointments (post_id, starts_at);
CREATE INDEX appointments_booked_by ON appointments (booked_by, starts_at);

-- Private calendar feeds: only the hash of the token is kept.
CREATE TABLE calendar_feeds (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    post_id TEXT NOT NULL REFERENCES posts (id),
    token_hash TEXT NOT NULL UNIQUE,
    show_names BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX calendar_feeds_account ON calendar_feeds (account_id);

-- A social worker may choose to show their name on the public presence page and poster.
ALTER TABLE accounts ADD COLUMN public_name BIGINT NOT NULL DEFAULT 0;
