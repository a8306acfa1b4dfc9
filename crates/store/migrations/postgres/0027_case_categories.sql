-- A case's problem categories in a table of their own (PostgreSQL). Lockstep: ../sqlite/0027.
-- They were comma-joined text matched with LIKE: a code the grid does not know could sit
-- there unseen, and a filter on one category read every case. Each line now names a code of
-- the grid (a foreign key) and its place in the referral's order.

CREATE TABLE case_categories (
    case_id TEXT NOT NULL REFERENCES cases (id),
    category TEXT NOT NULL REFERENCES problem_categories (code),
    position BIGINT NOT NULL,
    PRIMARY KEY (case_id, category)
);
CREATE INDEX case_categories_category ON case_categories (category, case_id);

-- Each case's text cut at its commas, in order; a code repeated counts once, at its first
-- place.
INSERT INTO case_categories (case_id, category, position)
SELECT c.id, t.category, MIN(t.position) - 1
FROM cases c CROSS JOIN LATERAL unnest(string_to_array(c.categories, ',')) WITH ORDINALITY AS t (category, position)
WHERE t.category <> ''
GROUP BY c.id, t.category;

ALTER TABLE cases DROP COLUMN categories;
