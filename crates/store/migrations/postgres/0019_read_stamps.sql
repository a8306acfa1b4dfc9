-- Read stamps: a counter per post that moves whenever what its case list shows may have
-- changed, and one for the registry ('*': posts, units, replacements) that every case list
-- depends on. Servers poll them to know which in-process copies of case lists are still
-- current (web::case_list_memory). Kept by triggers, so no write path (forms, imports, the
-- purge, the command line) can forget them. Lockstep: ../sqlite/0019.

CREATE TABLE read_stamps (
    subject TEXT PRIMARY KEY,
    stamp BIGINT NOT NULL
);

CREATE FUNCTION read_stamp_move(moved TEXT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO read_stamps (subject, stamp) VALUES (moved, 1)
        ON CONFLICT (subject) DO UPDATE SET stamp = read_stamps.stamp + 1;
$$;

CREATE FUNCTION cases_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.post_id <> NEW.post_id THEN
        -- A transfer changes two posts' lists; in a fixed order, so that two transfers
        -- crossing between the same posts cannot deadlock on the stamps.
        PERFORM read_stamp_move(LEAST(OLD.post_id, NEW.post_id));
        PERFORM read_stamp_move(GREATEST(OLD.post_id, NEW.post_id));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM read_stamp_move(OLD.post_id);
    ELSE
        PERFORM read_stamp_move(NEW.post_id);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER cases_stamp AFTER INSERT OR UPDATE OR DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION cases_stamp();

-- A case's line counts its persons.
CREATE FUNCTION case_persons_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM read_stamp_move(post_id) FROM cases WHERE id = NEW.case_id;
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.case_id <> NEW.case_id) THEN
        PERFORM read_stamp_move(post_id) FROM cases WHERE id = OLD.case_id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER case_persons_stamp AFTER INSERT OR UPDATE OR DELETE ON case_persons
    FOR EACH ROW EXECUTE FUNCTION case_persons_stamp();

-- The registry: a post's code and scopes, a unit's name on the lines, a replacement (who may
-- open a post's list, and which posts an account may switch to). Only these columns: the
-- writes that lock a post row (`SET id = id`) must not make every list read again.
CREATE FUNCTION registry_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM read_stamp_move('*');
    RETURN NULL;
END;
$$;
CREATE TRIGGER posts_stamp AFTER UPDATE OF code, employer_id, departement_code OR DELETE ON posts
    FOR EACH ROW EXECUTE FUNCTION registry_stamp();
CREATE TRIGGER units_stamp AFTER UPDATE OF name OR DELETE ON units
    FOR EACH ROW EXECUTE FUNCTION registry_stamp();
CREATE TRIGGER post_replacements_stamp AFTER INSERT OR UPDATE OR DELETE ON post_replacements
    FOR EACH ROW EXECUTE FUNCTION registry_stamp();
