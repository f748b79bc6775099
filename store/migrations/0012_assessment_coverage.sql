-- Each assessment records its coverage: the lists it checked (with snapshot date and age) and the lists its rule
-- pack needs that were missing or stale. Assessments made before this version have none (NULL: not recorded).
ALTER TABLE assessments ADD COLUMN coverage JSON;
