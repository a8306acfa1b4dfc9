-- The work recorded in a case file (SQLite). Lockstep: ../postgres/0008.
-- Interviews, actions and orientations are clear codes and dates (the statistics count
-- them); anything a person said goes in the sealed notes.

-- Criminal or not: unknown (NULL) until the social worker says.
ALTER TABLE cases ADD COLUMN criminal BIGINT;
-- The next step the social worker set themselves: its text sealed, its day clear (the inbox
-- sorts and flags on it).
ALTER TABLE cases ADD COLUMN next_step_sealed BLOB;
ALTER TABLE cases ADD COLUMN next_step_on TEXT;
-- When the retention purge removed the case's personal data; NULL while it holds some.
ALTER TABLE cases ADD COLUMN purged_at TEXT;
CREATE INDEX cases_retention ON cases (purged_at, last_contact_at);

CREATE TABLE case_interviews (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    held_on TEXT NOT NULL,
    place TEXT NOT NULL,
    minutes BIGINT NOT NULL,
    -- NULL when written by the demonstration generator or an import.
    by_account TEXT REFERENCES accounts (id),
    created_at TEXT NOT NULL
);
CREATE INDEX case_interviews_case ON case_interviews (case_id, held_on);

CREATE TABLE case_actions (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    done_on TEXT NOT NULL,
    -- NULL when written by the demonstration generator or an import.
    by_account TEXT REFERENCES accounts (id),
    created_at TEXT NOT NULL
);
CREATE INDEX case_actions_case ON case_actions (case_id, done_on);

CREATE TABLE case_orientations (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    partner_type TEXT NOT NULL,
    partner_name TEXT NOT NULL,
    status TEXT NOT NULL,
    proposed_on TEXT NOT NULL,
    status_changed_on TEXT NOT NULL,
    -- NULL when written by the demonstration generator or an import.
    by_account TEXT REFERENCES accounts (id),
    created_at TEXT NOT NULL
);
CREATE INDEX case_orientations_case ON case_orientations (case_id, proposed_on);

-- Appointments carry a person's name and safe contact: they are purged with the cases.
ALTER TABLE appointments ADD COLUMN purged_at TEXT;
