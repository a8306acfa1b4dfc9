-- The journal pages read a page at a time, newest first, filtered by who acted, on which
-- record, in which post or employer, which action and which days (postgres; lockstep:
-- ../sqlite/0032). Each filter's index ends with seq, so that a page is a short backward
-- walk of one index from the keyset bound, whatever the journal's size; the single-column
-- indexes they extend are dropped. The instant's index turns a date bound into a seq bound.
DROP INDEX journal_actor;
DROP INDEX journal_target;
DROP INDEX journal_post;
DROP INDEX journal_employer;
CREATE INDEX journal_actor_seq ON journal (actor_account_id, seq);
CREATE INDEX journal_target_seq ON journal (target_id, seq);
CREATE INDEX journal_post_seq ON journal (scope_post_id, seq);
CREATE INDEX journal_employer_seq ON journal (scope_employer_id, seq);
CREATE INDEX journal_action_seq ON journal (action, seq);
CREATE INDEX journal_at_seq ON journal (at, seq);
