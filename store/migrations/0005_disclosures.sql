-- Self-disclosures (with history) and the findings of reconciling them with open-source evidence.
CREATE TABLE disclosures (
    disclosure_id  VARCHAR PRIMARY KEY,        -- hash of researcher, content and load time
    researcher_id  VARCHAR NOT NULL,
    content        JSON NOT NULL,              -- the canonical JSON form, NDA items included
    source         VARCHAR NOT NULL,           -- file it was loaded from
    source_sha256  VARCHAR NOT NULL,
    loaded_at      TIMESTAMP NOT NULL          -- the latest per researcher is current; older ones are history
);

CREATE TABLE disclosure_findings (
    finding_id      VARCHAR PRIMARY KEY,
    subject_id      VARCHAR NOT NULL,
    relation        VARCHAR NOT NULL CHECK (relation IN ('undisclosed_affiliation', 'undisclosed_funding',
                                                         'listed_entity_involvement', 'unverified_disclosure')),
    observed_name   VARCHAR NOT NULL,
    observed_ror    VARCHAR,
    evidence_id     VARCHAR,                   -- DOIs / ORCID paths, or the disclosure item
    evidence_year   INTEGER,
    list_id         VARCHAR,
    entry_id        VARCHAR,
    entry_name      VARCHAR,
    score           DOUBLE,
    decision        VARCHAR,
    confidence      VARCHAR NOT NULL,          -- high | medium | low
    explanation     VARCHAR NOT NULL,
    evidence        JSON NOT NULL,             -- [{source, evidence_id, year, url, observed_name}]
    disclosure_id   VARCHAR NOT NULL,
    restricted      BOOLEAN NOT NULL,          -- from an NDA collaboration: restricted role only
    run_id          VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL
);
