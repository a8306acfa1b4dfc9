-- Agreements (conventions) and funding lines of posts (PostgreSQL). Lockstep: ../sqlite/0005.
-- Amounts in euro cents, as integers: no rounding in sums.

CREATE TABLE agreements (
    id TEXT PRIMARY KEY NOT NULL,
    post_id TEXT NOT NULL REFERENCES posts (id),
    parties TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    renewal TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX agreements_post ON agreements (post_id, ends_on);
CREATE INDEX agreements_end ON agreements (ends_on);

CREATE TABLE funding_lines (
    id TEXT PRIMARY KEY NOT NULL,
    post_id TEXT NOT NULL REFERENCES posts (id),
    year BIGINT NOT NULL,
    funder TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (post_id, year, funder)
);
CREATE INDEX funding_lines_year ON funding_lines (year, funder);
