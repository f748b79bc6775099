-- Foundation: migration bookkeeping, what ran, and the raw responses every observation can be traced back to.
CREATE TABLE schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        VARCHAR NOT NULL,
    checksum    VARCHAR NOT NULL,   -- sha256 of the migration file, so an edited migration is caught
    applied_at  TIMESTAMP NOT NULL
);

-- One row per run of a stage (demo, lists, collect, screen, ...). Inserted as 'running' and committed first,
-- so a run that dies is visible; its results commit in one transaction with the final status.
CREATE TABLE screening_runs (
    run_id            VARCHAR PRIMARY KEY,
    kind              VARCHAR NOT NULL,
    started_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP,
    status            VARCHAR NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    inputs            JSON,      -- files with sha256, list snapshots used, parameters
    outcome           JSON,      -- counts written
    error             VARCHAR,
    highfence_version VARCHAR NOT NULL,
    flow_run_id       VARCHAR    -- Prefect flow run, when run as a flow
);

-- Provenance: the body of every response or file a record came from, addressed by its hash.
CREATE TABLE raw_responses (
    body_sha256   VARCHAR PRIMARY KEY,
    source        VARCHAR NOT NULL,  -- openalex, ror, orcid, crossref, demo, ...
    url           VARCHAR NOT NULL,  -- URL or file path it was read from
    retrieved_at  TIMESTAMP NOT NULL,
    status        INTEGER,
    content_type  VARCHAR,
    body          BLOB NOT NULL
);
