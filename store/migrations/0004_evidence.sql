-- Open-source evidence: the HTTP response cache, ROR organisations, pinned author ids, per-subject errors.

-- One row per URL: when it was fetched, how it answered, and which stored body (raw_responses) it returned.
CREATE TABLE http_cache (
    url           VARCHAR PRIMARY KEY,
    source        VARCHAR NOT NULL,
    retrieved_at  TIMESTAMP NOT NULL,
    status        INTEGER NOT NULL,
    body_sha256   VARCHAR NOT NULL
);

-- ROR organisations (from the data dump or the API): names, acronyms, native-script labels, relations.
CREATE TABLE organisations (
    ror_id        VARCHAR PRIMARY KEY,         -- https://ror.org/xxxxxxxxx
    name          VARCHAR NOT NULL,            -- ROR display name
    names         JSON NOT NULL,               -- [{value, types, lang}]
    country       VARCHAR,
    types         VARCHAR[] NOT NULL,
    status        VARCHAR NOT NULL,
    parents       VARCHAR[] NOT NULL,
    children      VARCHAR[] NOT NULL,
    source        VARCHAR NOT NULL,            -- dump file or API URL
    retrieved_at  TIMESTAMP NOT NULL
);

-- A researcher given only by name is never resolved automatically: the analyst pins an OpenAlex author id.
CREATE TABLE roster_pins (
    subject_id   VARCHAR NOT NULL,
    openalex_id  VARCHAR NOT NULL,
    pinned_at    TIMESTAMP NOT NULL,
    pinned_by    VARCHAR
);

CREATE TABLE author_candidates (
    subject_id     VARCHAR NOT NULL,
    openalex_id    VARCHAR NOT NULL,
    display_name   VARCHAR NOT NULL,
    orcid          VARCHAR,
    institutions   VARCHAR,                    -- last known institutions, for the analyst to judge
    works_count    INTEGER,
    retrieved_at   TIMESTAMP NOT NULL
);

-- What could not be collected, per subject and source: reported, never fatal to the run.
CREATE TABLE collection_errors (
    run_id      VARCHAR NOT NULL,
    subject_id  VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    url         VARCHAR,
    error       VARCHAR NOT NULL,
    occurred_at TIMESTAMP NOT NULL
);
