-- The journal is append-only for the application: rows can be added, never changed or
-- removed. (Someone with full control of the database can drop these triggers; the hash chain
-- and `passerelle audit verify` catch what they then change.) Lockstep: ../sqlite/0003.

CREATE FUNCTION journal_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'journal en ajout seul : % refusée', CASE TG_OP WHEN 'UPDATE' THEN 'modification' ELSE 'suppression' END;
END;
$$;

CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal FOR EACH ROW EXECUTE FUNCTION journal_refuse_change();
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal FOR EACH ROW EXECUTE FUNCTION journal_refuse_change();
