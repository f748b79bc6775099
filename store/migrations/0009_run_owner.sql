-- Which process runs a screening run, so that the next run can tell a run whose process was killed (still
-- 'running', its process gone) from one still at work, and close it as failed.
ALTER TABLE screening_runs ADD COLUMN host VARCHAR;
ALTER TABLE screening_runs ADD COLUMN pid INTEGER;
