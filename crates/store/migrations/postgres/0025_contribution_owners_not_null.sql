-- A contribution set always has its owner (PostgreSQL). Lockstep: ../sqlite/0025.
-- SQLite's 0018 left NOT NULL out of these PRIMARY KEY columns, which SQLite then lets hold
-- NULL; ../sqlite/0025 rebuilds its tables. Here a PRIMARY KEY column is NOT NULL already:
-- these statements change nothing and say the rule in both folders at the same number.

ALTER TABLE case_contribution_sets ALTER COLUMN case_id SET NOT NULL;
ALTER TABLE person_contribution_sets ALTER COLUMN person_id SET NOT NULL;
