-- The journal is append-only for the application: rows can be added, never changed or
-- removed. (Someone with full control of the database can drop these triggers; the hash chain
-- and `passerelle audit verify` catch what they then change.) Lockstep: ../postgres/0003.

CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN
    SELECT RAISE(ABORT, 'journal en ajout seul : modification refusée');
END;

CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN
    SELECT RAISE(ABORT, 'journal en ajout seul : suppression refusée');
END;
