-- A case's problem categories in a table of their own (SQLite). Lockstep: ../postgres/0027.
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
WITH RECURSIVE split (case_id, position, category, rest) AS (
    SELECT id, 0, '', categories || ',' FROM cases
    UNION ALL
    SELECT case_id, position + 1, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1)
    FROM split WHERE rest <> ''
)
INSERT INTO case_categories (case_id, category, position)
SELECT case_id, category, MIN(position) - 1 FROM split WHERE category <> '' GROUP BY case_id, category;

ALTER TABLE cases DROP COLUMN categories;
