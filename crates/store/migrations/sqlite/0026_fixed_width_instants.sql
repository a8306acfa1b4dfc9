-- Instants of fixed width (SQLite). Lockstep: ../postgres/0026.
-- Instants are RFC 3339 UTC text compared as text (lockout, "latest first" lists, the
-- outbox, the retention), so they must all have the same width: seconds and six fraction
-- digits, `2026-12-04T23:15:00.120000Z` (db::time_text::instant_to_text). Before, the
-- fraction dropped its trailing zeros (`…00.12Z` sorted before `…00.1Z`, `…00Z` after both).
-- Every instant column is rewritten: whole seconds get `.000000`, shorter fractions are
-- padded with zeros, longer ones (nanoseconds) cut to microseconds, which keeps their order.
-- A value that is not such an instant is left as it is, never destroyed (tests/instants.rs
-- shows there is none in the demonstration data). The expression is idempotent.
-- Not rewritten: the journal, append-only and hash-chained (its rows are ordered by seq);
-- presence_slots.starts_at/ends_at, civil times (HH:MM); the days (`*_on`, until).

UPDATE access_mail_outbox SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE access_mail_outbox SET next_attempt_at = substr(next_attempt_at, 1, 19) || '.' || substr(rtrim(substr(next_attempt_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(next_attempt_at) BETWEEN 20 AND 30 AND length(next_attempt_at) <> 27 AND next_attempt_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(next_attempt_at) = 20 OR (length(next_attempt_at) >= 22 AND substr(next_attempt_at, 20, 1) = '.' AND substr(next_attempt_at, 21, length(next_attempt_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE access_mail_outbox SET sent_at = substr(sent_at, 1, 19) || '.' || substr(rtrim(substr(sent_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(sent_at) BETWEEN 20 AND 30 AND length(sent_at) <> 27 AND sent_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(sent_at) = 20 OR (length(sent_at) >= 22 AND substr(sent_at, 20, 1) = '.' AND substr(sent_at, 21, length(sent_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE account_roles SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE accounts SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE accounts SET invitation_expires_at = substr(invitation_expires_at, 1, 19) || '.' || substr(rtrim(substr(invitation_expires_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(invitation_expires_at) BETWEEN 20 AND 30 AND length(invitation_expires_at) <> 27 AND invitation_expires_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(invitation_expires_at) = 20 OR (length(invitation_expires_at) >= 22 AND substr(invitation_expires_at, 20, 1) = '.' AND substr(invitation_expires_at, 21, length(invitation_expires_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE agreements SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE appointments SET starts_at = substr(starts_at, 1, 19) || '.' || substr(rtrim(substr(starts_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(starts_at) BETWEEN 20 AND 30 AND length(starts_at) <> 27 AND starts_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(starts_at) = 20 OR (length(starts_at) >= 22 AND substr(starts_at, 20, 1) = '.' AND substr(starts_at, 21, length(starts_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE appointments SET ends_at = substr(ends_at, 1, 19) || '.' || substr(rtrim(substr(ends_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(ends_at) BETWEEN 20 AND 30 AND length(ends_at) <> 27 AND ends_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(ends_at) = 20 OR (length(ends_at) >= 22 AND substr(ends_at, 20, 1) = '.' AND substr(ends_at, 21, length(ends_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE appointments SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE appointments SET changed_at = substr(changed_at, 1, 19) || '.' || substr(rtrim(substr(changed_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(changed_at) BETWEEN 20 AND 30 AND length(changed_at) <> 27 AND changed_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(changed_at) = 20 OR (length(changed_at) >= 22 AND substr(changed_at, 20, 1) = '.' AND substr(changed_at, 21, length(changed_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE appointments SET purged_at = substr(purged_at, 1, 19) || '.' || substr(rtrim(substr(purged_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(purged_at) BETWEEN 20 AND 30 AND length(purged_at) <> 27 AND purged_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(purged_at) = 20 OR (length(purged_at) >= 22 AND substr(purged_at, 20, 1) = '.' AND substr(purged_at, 21, length(purged_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE calendar_feeds SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE calendar_feeds SET revoked_at = substr(revoked_at, 1, 19) || '.' || substr(rtrim(substr(revoked_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(revoked_at) BETWEEN 20 AND 30 AND length(revoked_at) <> 27 AND revoked_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(revoked_at) = 20 OR (length(revoked_at) >= 22 AND substr(revoked_at, 20, 1) = '.' AND substr(revoked_at, 21, length(revoked_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE case_access_proposals SET proposed_at = substr(proposed_at, 1, 19) || '.' || substr(rtrim(substr(proposed_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(proposed_at) BETWEEN 20 AND 30 AND length(proposed_at) <> 27 AND proposed_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(proposed_at) = 20 OR (length(proposed_at) >= 22 AND substr(proposed_at, 20, 1) = '.' AND substr(proposed_at, 21, length(proposed_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE case_access_proposals SET decided_at = substr(decided_at, 1, 19) || '.' || substr(rtrim(substr(decided_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(decided_at) BETWEEN 20 AND 30 AND length(decided_at) <> 27 AND decided_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(decided_at) = 20 OR (length(decided_at) >= 22 AND substr(decided_at, 20, 1) = '.' AND substr(decided_at, 21, length(decided_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE case_actions SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE case_interviews SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE case_notes SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE case_orientations SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE case_persons SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE case_status_history SET at = substr(at, 1, 19) || '.' || substr(rtrim(substr(at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(at) BETWEEN 20 AND 30 AND length(at) <> 27 AND at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(at) = 20 OR (length(at) >= 22 AND substr(at, 20, 1) = '.' AND substr(at, 21, length(at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE case_transfers SET at = substr(at, 1, 19) || '.' || substr(rtrim(substr(at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(at) BETWEEN 20 AND 30 AND length(at) <> 27 AND at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(at) = 20 OR (length(at) >= 22 AND substr(at, 20, 1) = '.' AND substr(at, 21, length(at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE cases SET received_at = substr(received_at, 1, 19) || '.' || substr(rtrim(substr(received_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(received_at) BETWEEN 20 AND 30 AND length(received_at) <> 27 AND received_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(received_at) = 20 OR (length(received_at) >= 22 AND substr(received_at, 20, 1) = '.' AND substr(received_at, 21, length(received_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE cases SET status_changed_at = substr(status_changed_at, 1, 19) || '.' || substr(rtrim(substr(status_changed_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(status_changed_at) BETWEEN 20 AND 30 AND length(status_changed_at) <> 27 AND status_changed_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(status_changed_at) = 20 OR (length(status_changed_at) >= 22 AND substr(status_changed_at, 20, 1) = '.' AND substr(status_changed_at, 21, length(status_changed_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE cases SET last_contact_at = substr(last_contact_at, 1, 19) || '.' || substr(rtrim(substr(last_contact_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(last_contact_at) BETWEEN 20 AND 30 AND length(last_contact_at) <> 27 AND last_contact_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(last_contact_at) = 20 OR (length(last_contact_at) >= 22 AND substr(last_contact_at, 20, 1) = '.' AND substr(last_contact_at, 21, length(last_contact_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE cases SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE cases SET purged_at = substr(purged_at, 1, 19) || '.' || substr(rtrim(substr(purged_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(purged_at) BETWEEN 20 AND 30 AND length(purged_at) <> 27 AND purged_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(purged_at) = 20 OR (length(purged_at) >= 22 AND substr(purged_at, 20, 1) = '.' AND substr(purged_at, 21, length(purged_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE employers SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE funding_lines SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE key_fingerprints SET recorded_at = substr(recorded_at, 1, 19) || '.' || substr(rtrim(substr(recorded_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(recorded_at) BETWEEN 20 AND 30 AND length(recorded_at) <> 27 AND recorded_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(recorded_at) = 20 OR (length(recorded_at) >= 22 AND substr(recorded_at, 20, 1) = '.' AND substr(recorded_at, 21, length(recorded_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE legacy_activity SET imported_at = substr(imported_at, 1, 19) || '.' || substr(rtrim(substr(imported_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(imported_at) BETWEEN 20 AND 30 AND length(imported_at) <> 27 AND imported_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(imported_at) = 20 OR (length(imported_at) >= 22 AND substr(imported_at, 20, 1) = '.' AND substr(imported_at, 21, length(imported_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE login_failures SET locked_until = substr(locked_until, 1, 19) || '.' || substr(rtrim(substr(locked_until, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(locked_until) BETWEEN 20 AND 30 AND length(locked_until) <> 27 AND locked_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(locked_until) = 20 OR (length(locked_until) >= 22 AND substr(locked_until, 20, 1) = '.' AND substr(locked_until, 21, length(locked_until) - 21) NOT GLOB '*[^0-9]*'));

UPDATE login_failures SET updated_at = substr(updated_at, 1, 19) || '.' || substr(rtrim(substr(updated_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(updated_at) BETWEEN 20 AND 30 AND length(updated_at) <> 27 AND updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(updated_at) = 20 OR (length(updated_at) >= 22 AND substr(updated_at, 20, 1) = '.' AND substr(updated_at, 21, length(updated_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE mail_outbox SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE mail_outbox SET next_attempt_at = substr(next_attempt_at, 1, 19) || '.' || substr(rtrim(substr(next_attempt_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(next_attempt_at) BETWEEN 20 AND 30 AND length(next_attempt_at) <> 27 AND next_attempt_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(next_attempt_at) = 20 OR (length(next_attempt_at) >= 22 AND substr(next_attempt_at, 20, 1) = '.' AND substr(next_attempt_at, 21, length(next_attempt_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE mail_outbox SET sent_at = substr(sent_at, 1, 19) || '.' || substr(rtrim(substr(sent_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(sent_at) BETWEEN 20 AND 30 AND length(sent_at) <> 27 AND sent_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(sent_at) = 20 OR (length(sent_at) >= 22 AND substr(sent_at, 20, 1) = '.' AND substr(sent_at, 21, length(sent_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE partners SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE partners SET updated_at = substr(updated_at, 1, 19) || '.' || substr(rtrim(substr(updated_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(updated_at) BETWEEN 20 AND 30 AND length(updated_at) <> 27 AND updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(updated_at) = 20 OR (length(updated_at) >= 22 AND substr(updated_at, 20, 1) = '.' AND substr(updated_at, 21, length(updated_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE person_links SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE persons SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE persons SET purged_at = substr(purged_at, 1, 19) || '.' || substr(rtrim(substr(purged_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(purged_at) BETWEEN 20 AND 30 AND length(purged_at) <> 27 AND purged_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(purged_at) = 20 OR (length(purged_at) >= 22 AND substr(purged_at, 20, 1) = '.' AND substr(purged_at, 21, length(purged_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE post_replacements SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE post_replacements SET revoked_at = substr(revoked_at, 1, 19) || '.' || substr(rtrim(substr(revoked_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(revoked_at) BETWEEN 20 AND 30 AND length(revoked_at) <> 27 AND revoked_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(revoked_at) = 20 OR (length(revoked_at) >= 22 AND substr(revoked_at, 20, 1) = '.' AND substr(revoked_at, 21, length(revoked_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE post_status_history SET recorded_at = substr(recorded_at, 1, 19) || '.' || substr(rtrim(substr(recorded_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(recorded_at) BETWEEN 20 AND 30 AND length(recorded_at) <> 27 AND recorded_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(recorded_at) = 20 OR (length(recorded_at) >= 22 AND substr(recorded_at, 20, 1) = '.' AND substr(recorded_at, 21, length(recorded_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE posts SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE presence_absences SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE presence_notices SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE presence_slots SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE problem_categories SET changed_at = substr(changed_at, 1, 19) || '.' || substr(rtrim(substr(changed_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(changed_at) BETWEEN 20 AND 30 AND length(changed_at) <> 27 AND changed_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(changed_at) = 20 OR (length(changed_at) >= 22 AND substr(changed_at, 20, 1) = '.' AND substr(changed_at, 21, length(changed_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE recovery_codes SET used_at = substr(used_at, 1, 19) || '.' || substr(rtrim(substr(used_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(used_at) BETWEEN 20 AND 30 AND length(used_at) <> 27 AND used_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(used_at) = 20 OR (length(used_at) >= 22 AND substr(used_at, 20, 1) = '.' AND substr(used_at, 21, length(used_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE sessions SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE sessions SET last_seen_at = substr(last_seen_at, 1, 19) || '.' || substr(rtrim(substr(last_seen_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(last_seen_at) BETWEEN 20 AND 30 AND length(last_seen_at) <> 27 AND last_seen_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(last_seen_at) = 20 OR (length(last_seen_at) >= 22 AND substr(last_seen_at, 20, 1) = '.' AND substr(last_seen_at, 21, length(last_seen_at) - 21) NOT GLOB '*[^0-9]*'));

UPDATE units SET created_at = substr(created_at, 1, 19) || '.' || substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) || 'Z'
WHERE length(created_at) BETWEEN 20 AND 30 AND length(created_at) <> 27 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'
    AND (length(created_at) = 20 OR (length(created_at) >= 22 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 21, length(created_at) - 21) NOT GLOB '*[^0-9]*'));
