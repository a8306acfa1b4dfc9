-- What the social worker's inbox needs (PostgreSQL). Lockstep: ../sqlite/0028.
-- A case is « Nouveau » until a social worker of its post has opened its page: the instant
-- of that first opening. Cases already worked on before this migration count as opened.
ALTER TABLE cases ADD COLUMN opened_at TEXT;
UPDATE cases SET opened_at = status_changed_at WHERE status <> 'received';

-- The blind index of the names the officer typed in a referral (case_persons.identity_sealed),
-- as person_keys is for the post's identified persons: the keyed hash of each blocking key,
-- scoped to the case's post, so that a name search finds the case without unsealing every
-- referral of the post. Rows written before this migration are indexed at the next start
-- (store::referral::referral_keys::index_missing), which holds the key.
CREATE TABLE case_person_keys (
    post_id TEXT NOT NULL REFERENCES posts (id),
    key_hash TEXT NOT NULL,
    case_person_id TEXT NOT NULL REFERENCES case_persons (id)
);
CREATE INDEX case_person_keys_hash ON case_person_keys (post_id, key_hash);
CREATE INDEX case_person_keys_line ON case_person_keys (case_person_id);

-- The inbox's order now starts with the cases not opened yet: its indexes follow it, so that
-- a page of 50 is still read straight from an index (the expressions must stay identical to
-- the ones in store::referral::inbox).
DROP INDEX cases_inbox_open;
DROP INDEX cases_inbox_all;
CREATE INDEX cases_inbox_open ON cases (post_id, (CASE WHEN opened_at IS NULL THEN 0 ELSE 1 END), (CASE urgency WHEN 'immediate' THEN 0 WHEN 'within_48h' THEN 1 ELSE 2 END), received_at, id)
    WHERE status <> 'closed';
CREATE INDEX cases_inbox_all ON cases (post_id, (CASE WHEN opened_at IS NULL THEN 0 ELSE 1 END), (CASE urgency WHEN 'immediate' THEN 0 WHEN 'within_48h' THEN 1 ELSE 2 END), received_at, id);
