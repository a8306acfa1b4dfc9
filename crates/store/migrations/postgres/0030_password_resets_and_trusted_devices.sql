-- Forgotten passwords and devices trusted for a shift (PostgreSQL). Lockstep: ../sqlite/0030.

-- A password reset asked for an account: one row is both the link's record (its token stored
-- only as a SHA-256 hash; the token itself is a keyed hash of the row's id, computed again
-- when the e-mail is written, so a copy of the database alone makes no link) and its outbox
-- row (claimed, sent and retried by the server's mail task as the other outboxes).
CREATE TABLE password_resets (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    token_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    sent_at TEXT
);
CREATE INDEX password_resets_account ON password_resets (account_id);
CREATE INDEX password_resets_due ON password_resets (sent_at, next_attempt_at);

-- Every request for a reset, whether an account has the address or not, counted per address
-- typed and per client network address (both hashed) for the rate limit.
CREATE TABLE password_reset_requests (
    id TEXT PRIMARY KEY NOT NULL,
    email_hash TEXT NOT NULL,
    address_hash TEXT,
    requested_at TEXT NOT NULL
);
CREATE INDEX password_reset_requests_email ON password_reset_requests (email_hash, requested_at);
CREATE INDEX password_reset_requests_address ON password_reset_requests (address_hash, requested_at);

-- A device an officer chose to trust for a shift: the cookie holds a random token, this
-- table its hash. Until expires_at (12 hours after the second factor was given on it), a
-- login there asks the password only. Revoked by logging out everywhere or a new password.
CREATE TABLE trusted_devices (
    token_hash TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    second_factor_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX trusted_devices_account ON trusted_devices (account_id);

-- A session opened on a trusted device without the second factor ends when the trust does.
ALTER TABLE sessions ADD COLUMN trusted_until TEXT;
