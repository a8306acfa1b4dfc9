-- The result of the danger evaluation grid on a domestic violence referral. Lockstep:
-- ../postgres/0037.
-- The result's code stays clear, like the categories: the statistics count by it and the
-- inbox ranks a characterised danger first. The whole result (with the number of alarm
-- criteria) is sealed with the facts. Never the grid's answers.
ALTER TABLE cases ADD COLUMN danger_grid TEXT;
ALTER TABLE cases ADD COLUMN danger_assessment_sealed BLOB;
