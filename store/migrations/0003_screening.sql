-- Screening: who is screened, what was observed about them, and what matched a list.
CREATE TABLE subjects (
    subject_id        VARCHAR PRIMARY KEY,
    kind              VARCHAR NOT NULL CHECK (kind IN ('researcher', 'institution')),
    name              VARCHAR NOT NULL,
    orcid             VARCHAR,
    openalex_id       VARCHAR,
    ror_id            VARCHAR,
    home_institution  VARCHAR,
    roster_source     VARCHAR NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);

-- An organisation seen in connection with a subject, with the fact that shows it.
CREATE TABLE observations (
    observation_id  VARCHAR PRIMARY KEY,     -- hash of subject, relation, source, evidence and name
    subject_id      VARCHAR NOT NULL,
    relation        VARCHAR NOT NULL,        -- partner_institution, affiliation, coauthor_affiliation, employment, funder
    observed_name   VARCHAR NOT NULL,        -- the raw string as the source gives it
    observed_ror    VARCHAR,
    evidence_id     VARCHAR,                 -- work DOI, ORCID put-code, roster row
    evidence_year   INTEGER,
    source          VARCHAR NOT NULL,
    source_url      VARCHAR,
    body_sha256     VARCHAR,                 -- raw_responses row it came from
    retrieved_at    TIMESTAMP NOT NULL,
    run_id          VARCHAR NOT NULL
);

CREATE TABLE findings (
    finding_id      VARCHAR PRIMARY KEY,     -- hash of observation and list entry: stable across runs
    subject_id      VARCHAR NOT NULL,
    relation        VARCHAR NOT NULL,
    observation_id  VARCHAR NOT NULL,
    list_id         VARCHAR NOT NULL,
    entry_id        VARCHAR NOT NULL,
    entry_name      VARCHAR NOT NULL,
    snapshot_id     VARCHAR NOT NULL,
    matched_name    VARCHAR NOT NULL,
    score           DOUBLE NOT NULL,
    decision        VARCHAR NOT NULL CHECK (decision IN ('match', 'review')),
    explanation     VARCHAR NOT NULL,
    first_run_id    VARCHAR NOT NULL,
    last_run_id     VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL
);

-- The evidence chain of every finding in one row: subject, observed fact, list entry, snapshot, score.
CREATE VIEW v_findings AS
SELECT f.finding_id, f.subject_id, s.name AS subject_name, f.relation,
       o.observed_name, o.observed_ror, o.evidence_id, o.evidence_year, o.source AS evidence_source,
       o.source_url AS evidence_url, o.retrieved_at AS evidence_retrieved_at,
       f.list_id, f.entry_id, f.entry_name, f.matched_name, f.score, f.decision, f.explanation,
       f.snapshot_id, ls.source_url AS list_source_url, ls.published AS list_published, ls.sha256 AS list_sha256,
       f.first_run_id, f.last_run_id
FROM findings f
JOIN observations o USING (observation_id)
LEFT JOIN subjects s ON s.subject_id = f.subject_id
LEFT JOIN list_snapshots ls ON ls.snapshot_id = f.snapshot_id;
