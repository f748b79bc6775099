-- Watchlists: every load is a snapshot; entries belong to a snapshot; activation is an append-only log.
CREATE TABLE list_snapshots (
    snapshot_id     VARCHAR PRIMARY KEY,     -- '<list_id>@<first 12 hex of sha256>'
    list_id         VARCHAR NOT NULL,
    format          VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,        -- the file or URL it was loaded from
    source_url      VARCHAR,                 -- the publisher's URL for the list
    retrieved_at    TIMESTAMP NOT NULL,
    published       DATE,                    -- publication date stated by the file, when it states one
    sha256          VARCHAR NOT NULL,
    size_bytes      BIGINT NOT NULL,
    entries         INTEGER NOT NULL,
    organizations   INTEGER NOT NULL,
    persons         INTEGER NOT NULL,
    vessels         INTEGER NOT NULL,
    other           INTEGER NOT NULL,
    parser_version  VARCHAR NOT NULL,
    loaded_at       TIMESTAMP NOT NULL,
    UNIQUE (list_id, sha256)
);

CREATE TABLE list_entries (
    snapshot_id   VARCHAR NOT NULL,
    list_id       VARCHAR NOT NULL,
    entry_id      VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL CHECK (kind IN ('organization', 'person', 'vessel', 'aircraft', 'other')),
    name          VARCHAR NOT NULL,
    aliases       VARCHAR[] NOT NULL,
    countries     VARCHAR[] NOT NULL,
    addresses     VARCHAR[] NOT NULL,
    programs      VARCHAR[] NOT NULL,
    listed_on     DATE,
    removed_on    DATE,
    source_url    VARCHAR,
    content_hash  VARCHAR NOT NULL,          -- what the diff compares
    raw           JSON NOT NULL,
    PRIMARY KEY (snapshot_id, entry_id)
);

-- One row per name of an entry (primary, aliases), normalised, for look-ups.
CREATE TABLE list_entry_names (
    snapshot_id  VARCHAR NOT NULL,
    entry_id     VARCHAR NOT NULL,
    name         VARCHAR NOT NULL,
    name_kind    VARCHAR NOT NULL,           -- primary | alias
    normalized   VARCHAR NOT NULL
);

CREATE TABLE list_activations (
    list_id       VARCHAR NOT NULL,
    snapshot_id   VARCHAR NOT NULL,
    activated_at  TIMESTAMP NOT NULL,
    reason        VARCHAR NOT NULL
);

-- Every load attempt, including refused ones, with the reason.
CREATE TABLE list_load_attempts (
    list_id       VARCHAR NOT NULL,
    attempted_at  TIMESTAMP NOT NULL,
    source        VARCHAR NOT NULL,
    sha256        VARCHAR,
    outcome       VARCHAR NOT NULL CHECK (outcome IN ('activated', 'unchanged', 'refused')),
    reason        VARCHAR,
    snapshot_id   VARCHAR
);

CREATE VIEW v_active_snapshots AS
SELECT s.*, a.activated_at
FROM list_snapshots s
JOIN (
    SELECT list_id, arg_max(snapshot_id, activated_at) AS snapshot_id, max(activated_at) AS activated_at
    FROM list_activations GROUP BY list_id
) a USING (list_id, snapshot_id);

CREATE VIEW v_active_entries AS
SELECT e.* FROM list_entries e JOIN v_active_snapshots s USING (snapshot_id);
