-- The partner's name of an orientation is sealed like the other case content (SQLite).
-- Lockstep: ../postgres/0020.
-- A structure's name (a shelter, a victims' association) can tell where a person went for
-- help. SQL cannot seal (the key is not in the database): the server seals the names written
-- before this migration when it starts (store::case_work::seal_clear_partner_names), then
-- leaves `partner_name` empty; new orientations never write it.
ALTER TABLE case_orientations ADD COLUMN partner_name_sealed BLOB;
-- Only the rows still holding a name in clear: the start-up step finds them without a scan.
CREATE INDEX case_orientations_clear_name ON case_orientations (id) WHERE partner_name <> '';
