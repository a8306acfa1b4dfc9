-- API tokens of machine clients (sqlite). Lockstep: ../postgres/0035.
-- A token acts as a role in a scope, read-only; the client holds "psr_<id>_<secret>", the
-- table only the SHA-256 of the secret. Revoked or expired, it answers 401 at once: every
-- call reads this row, nothing keeps a copy.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    scope_id TEXT,
    created_by TEXT NOT NULL REFERENCES accounts (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT REFERENCES accounts (id),
    last_used_at TEXT
);
CREATE INDEX api_tokens_by_expiry ON api_tokens (expires_at);
