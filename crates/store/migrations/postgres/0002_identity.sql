-- Identity, sessions and the journal (PostgreSQL). Kept in lockstep with ../sqlite/0002_identity.sql.

ALTER TABLE accounts ADD COLUMN totp_secret_sealed BYTEA;
ALTER TABLE accounts ADD COLUMN totp_enabled BIGINT NOT NULL DEFAULT 0;
-- The last TOTP time step accepted: a code of that step or earlier is a replay.
ALTER TABLE accounts ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN oidc_subject TEXT;
ALTER TABLE accounts ADD COLUMN invitation_token_hash TEXT;
ALTER TABLE accounts ADD COLUMN invitation_expires_at TEXT;
ALTER TABLE accounts ADD COLUMN invited_by TEXT REFERENCES accounts (id);
CREATE UNIQUE INDEX accounts_oidc_subject ON accounts (oidc_subject);
CREATE UNIQUE INDEX accounts_invitation ON accounts (invitation_token_hash);

-- Failed logins are counted per login name typed, whether an account has it or not, so the
-- lockout answers the same for unknown and known names.
CREATE TABLE login_failures (
    login_hash TEXT PRIMARY KEY NOT NULL,
    failures BIGINT NOT NULL,
    locked_until TEXT,
    updated_at TEXT NOT NULL
);

CREATE TABLE recovery_codes (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    code_hash TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX recovery_codes_account ON recovery_codes (account_id);

-- The session token is stored hashed: a copy of this table opens no session.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    account_id TEXT REFERENCES accounts (id),
    active_role_id TEXT REFERENCES account_roles (id),
    second_factor_done BIGINT NOT NULL DEFAULT 0,
    oidc_state TEXT,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ip TEXT
);
CREATE INDEX sessions_account ON sessions (account_id);

-- Append-only journal, each row chained to the previous one by a SHA-256 hash.
CREATE TABLE journal (
    seq BIGINT PRIMARY KEY NOT NULL,
    at TEXT NOT NULL,
    actor_account_id TEXT,
    actor_role TEXT,
    action TEXT NOT NULL,
    target_kind TEXT,
    target_id TEXT,
    scope_post_id TEXT,
    scope_employer_id TEXT,
    scope_departement TEXT,
    detail TEXT,
    ip TEXT,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX journal_actor ON journal (actor_account_id);
CREATE INDEX journal_target ON journal (target_kind, target_id);
CREATE INDEX journal_post ON journal (scope_post_id);
CREATE INDEX journal_employer ON journal (scope_employer_id);

-- The head of the chain: updating it first serialises appends on both backends.
CREATE TABLE journal_head (
    id BIGINT PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO journal_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
