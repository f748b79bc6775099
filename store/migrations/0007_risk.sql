-- Risk assessment: the works of each subject (titles and topics, for sensitive-technology areas) and the
-- assessments made under dated rule packs.
CREATE TABLE works (
    subject_id    VARCHAR NOT NULL,
    work_key      VARCHAR NOT NULL,        -- DOI, else the source's id
    title         VARCHAR,
    year          INTEGER,
    topics        VARCHAR,                 -- topics and keywords as the source gives them, '; '-separated
    source        VARCHAR NOT NULL,
    source_url    VARCHAR,
    PRIMARY KEY (subject_id, work_key)
);

CREATE TABLE assessments (
    assessment_id  VARCHAR PRIMARY KEY,
    subject_id     VARCHAR NOT NULL,
    pack_id        VARCHAR NOT NULL,
    pack_version   VARCHAR NOT NULL,
    as_of          DATE NOT NULL,
    outcome        VARCHAR NOT NULL,
    triggers       JSON NOT NULL,          -- [{factor, title, outcome, evidence: [{finding_id, relation, evidence_id, year, list_id, entry_id}]}]
    areas          JSON NOT NULL,          -- sensitive-technology areas found, with their evidence
    mitigations    JSON NOT NULL,
    run_id         VARCHAR NOT NULL,
    assessed_at    TIMESTAMP NOT NULL
);
