-- Partnerships (the unit funding agencies and offices decide on) and the guideline's checklists.
CREATE TABLE partnerships (
    partnership_id  VARCHAR PRIMARY KEY,
    title           VARCHAR NOT NULL,
    summary         VARCHAR,
    partners        JSON NOT NULL,      -- [{name, ror_id, subject_id}]
    researchers     JSON NOT NULL,      -- roster subject ids on both sides
    agreement_type  VARCHAR NOT NULL,   -- mou | contract | joint_research | nda | other
    areas           JSON NOT NULL,      -- technology areas, given or classified
    start_date      DATE,
    end_date        DATE,
    programme       VARCHAR,
    created_at      TIMESTAMP NOT NULL
);

CREATE TABLE checklist_instances (
    instance_id     VARCHAR PRIMARY KEY,
    template_id     VARCHAR NOT NULL,   -- partnership | institution
    partnership_id  VARCHAR,            -- NULL for the institution checklist
    lang            VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL
);

-- Append-only: the current answer to an item is the latest row.
CREATE TABLE checklist_answers (
    instance_id  VARCHAR NOT NULL,
    item_id      VARCHAR NOT NULL,
    value        VARCHAR NOT NULL,
    note         VARCHAR,
    source       VARCHAR NOT NULL CHECK (source IN ('prefilled', 'analyst')),
    evidence     JSON NOT NULL,
    answered_by  VARCHAR NOT NULL,
    answered_at  TIMESTAMP NOT NULL
);
