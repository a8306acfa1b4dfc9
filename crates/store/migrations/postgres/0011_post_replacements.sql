-- Vacant post continuity (PostgreSQL). Lockstep: ../sqlite/0011.
-- An employer grants a replacement social worker access to a post's cases for a period, with
-- a reason; the grant and its end are journaled and shown to the employer and the post.

CREATE TABLE post_replacements (
    id TEXT PRIMARY KEY NOT NULL,
    post_id TEXT NOT NULL REFERENCES posts (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    reason TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    granted_by TEXT REFERENCES accounts (id),
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX post_replacements_account ON post_replacements (account_id, ends_on);
CREATE INDEX post_replacements_post ON post_replacements (post_id, starts_on);
