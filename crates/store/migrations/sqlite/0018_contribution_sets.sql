-- One row per contributor instead of one row per cell (SQLite). Lockstep: ../postgres/0018.
-- A case counts for about fifty cells: ten years of national activity made ~50 million
-- contribution rows, and rebuilding them after a bulk load took more than 20 minutes and
-- 14 GB. A contributor's cells are now one JSON array of [post, month, indicator, dimension,
-- value, count], read and replaced whole by store::rollup. Codes and months only.

DROP TABLE case_contributions;
CREATE TABLE case_contribution_sets (
    case_id TEXT PRIMARY KEY REFERENCES cases (id),
    cells TEXT NOT NULL
);

DROP TABLE person_contributions;
CREATE TABLE person_contribution_sets (
    person_id TEXT PRIMARY KEY REFERENCES persons (id),
    cells TEXT NOT NULL
);

-- The version of the counting rules (domain::statistics::COUNTING_VERSION) the rollups were
-- built with: when the rules change, the next start rebuilds them from the facts
-- (store::rollup::bring_up_to_date). 0: never built, so the sets above are filled then.
CREATE TABLE rollup_counting (
    version BIGINT NOT NULL
);
INSERT INTO rollup_counting (version) VALUES (0);

-- The nation's rollups, kept beside the posts' in the same transactions: the national report
-- sums 12 months of these instead of 12 months × every post (a year of national cells made
-- the observatory 240 ms; these are about 600 times fewer). grouping 'all': every cell;
-- 'zone' and 'employer_kind': the totals by the zone or the employer type of the posts
-- (group_value), recomputed when a post's zone or employer, or an employer's type, changes.
CREATE TABLE nation_rollups (
    grouping TEXT NOT NULL,
    group_value TEXT NOT NULL,
    indicator TEXT NOT NULL,
    dimension TEXT NOT NULL,
    month TEXT NOT NULL,
    value TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (grouping, indicator, dimension, month, group_value, value)
) WITHOUT ROWID;
