-- Research-integrity notices on subjects' works: retractions and expressions of concern from Crossref's
-- updated-by (publisher deposits and the Retraction Watch data). Each is also an observation (relation
-- 'retraction' or 'expression_of_concern', observed_name the notice DOI); this table keeps what an observation has
-- no field for: the notice's full date and who reported it.
CREATE TABLE integrity_notices (
    observation_id  VARCHAR PRIMARY KEY,
    subject_id      VARCHAR NOT NULL,
    update_type     VARCHAR NOT NULL,  -- retraction | expression_of_concern
    work_doi        VARCHAR NOT NULL,
    notice_doi      VARCHAR,
    notice_date     DATE,
    notice_source   VARCHAR,           -- Crossref's source: publisher | retraction-watch
    label           VARCHAR,
    source_url      VARCHAR,
    recorded_at     TIMESTAMP NOT NULL,
    run_id          VARCHAR
);
