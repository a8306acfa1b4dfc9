-- Access to a post's case content given to an account (PostgreSQL). Lockstep: ../sqlite/0021.
-- Separation of duties (PRODUCT.md, professional secrecy): the social worker role on a post
-- and a replacement in it are first proposed by one person, and only take effect when a
-- second person confirms them; the role or replacement row is written at confirmation.

CREATE TABLE case_access_proposals (
    id TEXT PRIMARY KEY NOT NULL,
    post_id TEXT NOT NULL REFERENCES posts (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    kind TEXT NOT NULL CHECK (kind IN ('role', 'replacement')),
    -- A replacement's reason and period; NULL for a role.
    reason TEXT,
    starts_on TEXT,
    ends_on TEXT,
    proposed_by TEXT NOT NULL REFERENCES accounts (id),
    proposed_at TEXT NOT NULL,
    decided_by TEXT REFERENCES accounts (id),
    decided_at TEXT,
    outcome TEXT CHECK (outcome IN ('confirmed', 'refused', 'withdrawn')),
    CHECK ((outcome IS NULL) = (decided_at IS NULL)),
    CHECK (kind = 'role' OR (reason IS NOT NULL AND starts_on IS NOT NULL AND ends_on IS NOT NULL))
);
CREATE INDEX case_access_proposals_post ON case_access_proposals (post_id, outcome);
-- One open proposal per account, post and kind: a second click proposes nothing more.
CREATE UNIQUE INDEX case_access_proposals_open ON case_access_proposals (post_id, account_id, kind)
    WHERE outcome IS NULL;

-- The e-mails that tell a post's social workers that someone was proposed, or can now open
-- its cases. Written in the transaction of the proposal or confirmation; sent by the mail task.
CREATE TABLE access_mail_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    proposal_id TEXT NOT NULL REFERENCES case_access_proposals (id),
    recipient_id TEXT NOT NULL REFERENCES accounts (id),
    event TEXT NOT NULL CHECK (event IN ('proposed', 'confirmed')),
    created_at TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    sent_at TEXT
);
CREATE INDEX access_mail_outbox_due ON access_mail_outbox (sent_at, next_attempt_at);
