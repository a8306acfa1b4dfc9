-- The lifecycle of each post, one row per step with its date (PostgreSQL). posts.status,
-- posts.created_on and posts.closed_on are kept equal to what this history says, in the same
-- transaction (store::post::move_post). Lockstep: ../sqlite/0004.

CREATE TABLE post_status_history (
    id TEXT PRIMARY KEY NOT NULL,
    post_id TEXT NOT NULL REFERENCES posts (id),
    status TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT REFERENCES accounts (id)
);
CREATE INDEX post_status_history_post ON post_status_history (post_id, effective_on);
