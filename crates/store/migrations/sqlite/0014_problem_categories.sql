-- The grid of problem categories (SQLite). Lockstep: ../postgres/0014.
-- Configurable by the national team: a code never changes (cases and statistics count by
-- it), a label may be corrected, a retired category is no longer offered but still names
-- its cases. Seeded with the first grid of PRODUCT.md (domain::referral::ProblemCategory).

CREATE TABLE problem_categories (
    code TEXT PRIMARY KEY NOT NULL,
    label TEXT NOT NULL,
    position BIGINT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    changed_at TEXT NOT NULL
);

INSERT INTO problem_categories (code, label, position, active, changed_at) VALUES
    ('domestic_violence', 'Violences conjugales', 10, 1, '2026-11-29T00:00:00Z'),
    ('intrafamily_violence', 'Violences intrafamiliales (autres)', 20, 1, '2026-11-29T00:00:00Z'),
    ('child_in_danger', 'Enfant en danger / mineur victime', 30, 1, '2026-11-29T00:00:00Z'),
    ('runaway_minor', 'Mineur en fugue', 40, 1, '2026-11-29T00:00:00Z'),
    ('family_conflict', 'Conflit familial / séparation / non-représentation d''enfant', 50, 1, '2026-11-29T00:00:00Z'),
    ('neighbour_conflict', 'Conflit de voisinage', 60, 1, '2026-11-29T00:00:00Z'),
    ('vulnerable_person', 'Personne vulnérable ou âgée', 70, 1, '2026-11-29T00:00:00Z'),
    ('social_distress', 'Détresse sociale / précarité', 80, 1, '2026-11-29T00:00:00Z'),
    ('housing', 'Logement / expulsion', 90, 1, '2026-11-29T00:00:00Z'),
    ('mental_health', 'Troubles psychiques', 100, 1, '2026-11-29T00:00:00Z'),
    ('addiction', 'Addictions', 110, 1, '2026-11-29T00:00:00Z'),
    ('suicide_risk', 'Tentative de suicide / risque suicidaire', 120, 1, '2026-11-29T00:00:00Z'),
    ('radicalisation', 'Radicalisation', 130, 1, '2026-11-29T00:00:00Z'),
    ('other', 'Autre', 140, 1, '2026-11-29T00:00:00Z');
