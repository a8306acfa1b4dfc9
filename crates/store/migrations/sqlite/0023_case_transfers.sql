-- The transfers of cases between posts (SQLite). Lockstep: ../postgres/0023.
-- A transfer used to move a case's whole past to the receiving post. Each transfer is now
-- kept with its instant, so that the statistics count every event for the post that held
-- the case then (domain::statistics::CaseFacts::post_at). Transfers made before this
-- migration left no trace of their sending post: their cases count for their current post.

CREATE TABLE case_transfers (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    from_post TEXT NOT NULL REFERENCES posts (id),
    to_post TEXT NOT NULL REFERENCES posts (id),
    at TEXT NOT NULL,
    CHECK (from_post <> to_post)
);
CREATE INDEX case_transfers_case ON case_transfers (case_id, at);
-- The rebuild reads the transfers of a post's cases, and of the cases that left it.
CREATE INDEX case_transfers_from ON case_transfers (from_post);
