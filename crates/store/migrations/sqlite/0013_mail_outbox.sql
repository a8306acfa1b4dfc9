-- Status-change e-mails to the referring officer (SQLite). Lockstep: ../postgres/0013.
-- The officer opts in on the referral form. A status change writes its outbox row in the same
-- transaction as the status itself; the server's mail task composes the message (status
-- words only, never content) and sends it, retrying with a growing delay.

ALTER TABLE cases ADD COLUMN notify_referrer BIGINT NOT NULL DEFAULT 0;

CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    status TEXT NOT NULL,
    closure_outcome TEXT,
    created_at TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    -- Also the claim: a sender pushes it forward before sending, so two servers never send
    -- the same row at once.
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    sent_at TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (sent_at, next_attempt_at);
