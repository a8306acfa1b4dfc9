-- The key ring's fingerprints (PostgreSQL). Lockstep: ../sqlite/0024.
-- One row per key id of the key file that has sealed data or linked the journal here: a
-- keyed hash of its material (never the key). A server or command started with a key file
-- whose keys do not match refuses to start, instead of sealing with a key nobody else has.

CREATE TABLE key_fingerprints (
    key_id TEXT PRIMARY KEY NOT NULL,
    fingerprint TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
