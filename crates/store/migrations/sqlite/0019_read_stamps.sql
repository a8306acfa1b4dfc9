-- Read stamps: a counter per post that moves whenever what its case list shows may have
-- changed, and one for the registry ('*': posts, units, replacements) that every case list
-- depends on. Servers poll them to know which in-process copies of case lists are still
-- current (web::case_list_memory). Kept by triggers, so no write path (forms, imports, the
-- purge, the command line) can forget them. Lockstep: ../postgres/0019.

CREATE TABLE read_stamps (
    subject TEXT PRIMARY KEY NOT NULL,
    stamp INTEGER NOT NULL
);

CREATE TRIGGER cases_stamp_insert AFTER INSERT ON cases
BEGIN
    INSERT INTO read_stamps (subject, stamp) VALUES (NEW.post_id, 1)
        ON CONFLICT (subject) DO UPDATE SET stamp = stamp + 1;
END;

CREATE TRIGGER cases_stamp_update AFTER UPDATE ON cases
BEGIN
    INSERT INTO read_stamps (subject, stamp) VALUES (NEW.post_id, 1)
        ON CONFLICT (subject) DO UPDATE SET stamp = stamp + 1;
    -- A transfer changes two posts' lists.
    INSERT INTO read_stamps (subject, stamp) SELECT OLD.post_id, 1 WHERE OLD.post_id <> NEW.post_id
        ON CONFLICT (subject) DO UPDATE SET stamp = stamp + 1;
END;

CREATE TRIGGER cases_stamp_delete AFTER DELETE ON cases
BEGIN
    INSERT INTO read_stamps (subject, stamp) VALUES (OLD.post_id, 1)
        ON CONFLICT (subject) DO UPDATE SET stamp = stamp + 1;
END;

-- A case's line counts its persons.
CREATE TRIGGER case_persons_stamp_insert AFTER INSERT ON case_persons
BEGIN
    INSERT INTO read_stamps (subject, stamp) SELECT post_id, 1 FROM cases WHERE id = NEW.case_id
        ON CONFLICT (subject) DO UPDATE SET stamp = stamp + 1;
END;

CREATE TRIGGER case_persons_stamp_update AFTER UPDATE ON case_persons
BEGIN
    INSERT INTO read_stamps (subject, stamp) SELECT post_id, 1 FROM cases WHERE id IN (NEW.case_id, OLD.case_id)
        ON CONFLICT (subject) DO UPDATE SET stamp = stamp + 1;
END;

CREATE TRIGGER case_persons_stamp_delete AFTER DELETE ON case_persons
BEGIN
    INSERT INTO read_stamps (subject, stamp) SELECT post_id, 1 FROM cases WHERE id = OLD.case_id
        ON CONFLICT (subject) DO UPDATE SET stamp = stamp + 1;
END;

-- The registry: a post's code and scopes, a unit's name on the lines, a replacement (who may
-- open a post's list, and which posts an account may switch to). Only these columns: the
-- writes that lock a post row (`SET id = id`) must not make every list read again.
CREATE TRIGGER posts_stamp_update AFTER UPDATE OF code, employer_id, departement_code ON posts
BEGIN
    INSERT INTO read_stamps (subject, stamp) VALUES ('*', 1)
        ON CONFLICT (subject) DO UPDATE SET stamp = stamp + 1;
END;

CREATE TRIGGER posts_stamp_delete AFTER DELETE ON posts
BEGIN
    INSERT INTO read_stamps (subject, stamp) VALUES ('*', 1)
        ON CONFLICT (subject) DO UPDATE SET stamp = stamp + 1;
END;

CREATE TRIGGER units_stamp_update AFTER UPDATE OF name ON units
BEGIN
    INSERT INTO read_stamps (subject, stamp) VALUES ('*', 1)
        ON CONFLICT (subject) DO UPDATE SET stamp = stamp + 1;
END;

CREATE TRIGGER units_stamp_delete AFTER DELETE ON units
BEGIN
    INSERT INTO read_stamps (subject, stamp) VALUES ('*', 1)
        ON CONFLICT (subject) DO UPDATE SET stamp = stamp + 1;
END;

CREATE TRIGGER post_replacements_stamp_insert AFTER INSERT ON post_replacements
BEGIN
    INSERT INTO read_stamps (subject, stamp) VALUES ('*', 1)
        ON CONFLICT (subject) DO UPDATE SET stamp = stamp + 1;
END;

CREATE TRIGGER post_replacements_stamp_update AFTER UPDATE ON post_replacements
BEGIN
    INSERT INTO read_stamps (subject, stamp) VALUES ('*', 1)
        ON CONFLICT (subject) DO UPDATE SET stamp = stamp + 1;
END;

CREATE TRIGGER post_replacements_stamp_delete AFTER DELETE ON post_replacements
BEGIN
    INSERT INTO read_stamps (subject, stamp) VALUES ('*', 1)
        ON CONFLICT (subject) DO UPDATE SET stamp = stamp + 1;
END;
