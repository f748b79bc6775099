-- The ROR family of the crosswalked organisations (their units at any depth, predecessors, successors), recomputed
-- from the whole store by 'highfence ror load'; the matcher gives listed organisations their family's names.
-- Organisations keep every relationship and location, so the family can be recomputed from what the store holds.
ALTER TABLE organisations ADD COLUMN relationships JSON;  -- [{type, id, label}]; NULL for rows loaded before this migration
ALTER TABLE organisations ADD COLUMN locations JSON;      -- [{geonames_details: {name, country_code}}]

CREATE TABLE ror_family (
    root          VARCHAR NOT NULL,            -- the crosswalked ROR id
    ror_id        VARCHAR NOT NULL,
    relation      VARCHAR NOT NULL,            -- self | descendant | predecessor | successor
    depth         INTEGER NOT NULL,
    path          VARCHAR[] NOT NULL,          -- root first
    names         JSON NOT NULL,               -- [{value, lang, types}]
    status        VARCHAR NOT NULL,
    countries     VARCHAR[] NOT NULL,
    cities        VARCHAR[] NOT NULL,
    parents       VARCHAR[] NOT NULL,
    computed_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (root, relation, ror_id)
);
