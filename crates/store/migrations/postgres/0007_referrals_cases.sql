-- Referrals and case files (PostgreSQL). Lockstep: ../sqlite/0007.
-- What a person said or is (context, identities, safe contact, notes) is sealed by the
-- application; statuses, urgency, categories and dates stay clear for the officer's status
-- view and the statistics.

CREATE TABLE cases (
    id TEXT PRIMARY KEY NOT NULL,
    post_id TEXT NOT NULL REFERENCES posts (id),
    referral_unit_id TEXT REFERENCES units (id),
    referred_by TEXT REFERENCES accounts (id),
    source TEXT,
    urgency TEXT NOT NULL,
    categories TEXT NOT NULL,
    consent BIGINT NOT NULL,
    status TEXT NOT NULL,
    closure_outcome TEXT,
    context_sealed BYTEA,
    safe_contact_sealed BYTEA,
    procedure_reference_sealed BYTEA,
    received_at TEXT NOT NULL,
    status_changed_at TEXT NOT NULL,
    last_contact_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX cases_post_status ON cases (post_id, status, urgency, received_at);
-- The inbox's order (most urgent first, then oldest), read straight from an index so that a
-- page of 50 costs the same however many cases the post has; the expression must stay
-- identical to the one in store::referral::inbox.
CREATE INDEX cases_inbox_open ON cases (post_id, (CASE urgency WHEN 'immediate' THEN 0 WHEN 'within_48h' THEN 1 ELSE 2 END), received_at, id)
    WHERE status <> 'closed';
CREATE INDEX cases_inbox_all ON cases (post_id, (CASE urgency WHEN 'immediate' THEN 0 WHEN 'within_48h' THEN 1 ELSE 2 END), received_at, id);
CREATE INDEX cases_unit ON cases (referral_unit_id, received_at);

CREATE TABLE case_persons (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    role TEXT NOT NULL,
    identity_sealed BYTEA,
    created_at TEXT NOT NULL
);
CREATE INDEX case_persons_case ON case_persons (case_id);

CREATE TABLE case_status_history (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    status TEXT NOT NULL,
    at TEXT NOT NULL,
    by_account TEXT REFERENCES accounts (id)
);
CREATE INDEX case_status_history_case ON case_status_history (case_id, at);

CREATE TABLE case_notes (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    author_id TEXT NOT NULL REFERENCES accounts (id),
    visibility TEXT NOT NULL,
    body_sealed BYTEA NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, created_at);
