-- An appointment booked from a case names it (postgres). Lockstep: ../sqlite/0029.
-- The person and the safe contact are still sealed in the appointment (copied from the case
-- when it is booked); the case only lets its page list its appointments. Older appointments
-- and those booked at a unit's desk name no case.
ALTER TABLE appointments ADD COLUMN case_id TEXT REFERENCES cases (id);
CREATE INDEX appointments_case ON appointments (case_id, starts_at);
