-- The network space's announcements (sqlite). Lockstep: ../postgres/0038.
-- Scope: both departement_code and employer_id NULL = the whole network; one of them set =
-- that département or that employer's posts. The audience is one row per role.
CREATE TABLE network_announcements (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    departement_code TEXT REFERENCES departements (code),
    employer_id TEXT REFERENCES employers (id),
    pinned BIGINT NOT NULL DEFAULT 0,
    publish_on TEXT NOT NULL,
    expires_on TEXT,
    author_account_id TEXT NOT NULL REFERENCES accounts (id),
    author_role TEXT NOT NULL,
    -- Whether the author confirmed that a text flagged by the personal-data check concerns
    -- no person (0 when nothing was flagged).
    confirmed_no_person BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    CHECK (departement_code IS NULL OR employer_id IS NULL)
);
CREATE INDEX network_announcements_shown ON network_announcements (publish_on, expires_on);

CREATE TABLE network_announcement_audiences (
    announcement_id TEXT NOT NULL REFERENCES network_announcements (id),
    role TEXT NOT NULL,
    PRIMARY KEY (role, announcement_id)
);

-- Read state per account: the « non lu » count is the announcements reached minus these.
CREATE TABLE network_announcement_reads (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    announcement_id TEXT NOT NULL REFERENCES network_announcements (id),
    read_at TEXT NOT NULL,
    PRIMARY KEY (account_id, announcement_id)
);
