-- Analyst review: an append-only decision log, what each list was last screened at, and the derived status of
-- every finding. Nothing here is ever updated in place: status is computed from the log and the lists.

ALTER TABLE findings ADD COLUMN entry_content_hash VARCHAR;  -- the list entry as it was when last matched
ALTER TABLE findings ADD COLUMN retired_run_id VARCHAR;      -- a later screen no longer produced it

-- A case is what a decision is about: one subject, relation and list entry, whatever work or string showed it.
CREATE TABLE decisions (
    decision_id         VARCHAR PRIMARY KEY,
    finding_id          VARCHAR NOT NULL,      -- the finding the analyst looked at
    case_key            VARCHAR NOT NULL,      -- subject_id|relation|list_id|entry_id
    decision            VARCHAR NOT NULL CHECK (decision IN ('confirm', 'dismiss', 'escalate')),
    status              VARCHAR NOT NULL CHECK (status IN ('confirmed', 'dismissed', 'escalated')),
    reason              VARCHAR NOT NULL,
    decided_by          VARCHAR NOT NULL,
    decided_at          TIMESTAMP NOT NULL,
    previous_status     VARCHAR NOT NULL,
    entry_content_hash  VARCHAR                -- the list entry the analyst decided on
);

-- The snapshot of each list that the last screen (full or delta) covered.
CREATE TABLE list_screening (
    list_id      VARCHAR NOT NULL,
    snapshot_id  VARCHAR NOT NULL,
    run_id       VARCHAR NOT NULL,
    screened_at  TIMESTAMP NOT NULL
);

CREATE VIEW v_finding_status AS
WITH cases AS (
    SELECT f.*, f.subject_id || '|' || f.relation || '|' || f.list_id || '|' || f.entry_id AS case_key,
           e.content_hash AS current_entry_hash
    FROM findings f
    LEFT JOIN v_active_entries e ON e.list_id = f.list_id AND e.entry_id = f.entry_id
         AND (e.removed_on IS NULL OR e.removed_on > current_date)
),
last_decision AS (
    SELECT case_key, arg_max(status, decided_at) AS decided_status, max(decided_at) AS decided_at,
           arg_max(entry_content_hash, decided_at) AS decided_entry_hash, arg_max(reason, decided_at) AS decided_reason
    FROM decisions GROUP BY case_key
)
SELECT c.finding_id, c.case_key,
       CASE WHEN c.current_entry_hash IS NULL THEN 'delisted'
            WHEN c.retired_run_id IS NOT NULL THEN 'superseded'
            WHEN d.case_key IS NULL THEN 'open'
            WHEN d.decided_entry_hash IS DISTINCT FROM c.current_entry_hash THEN 'open'
            WHEN c.created_at > d.decided_at THEN 'open'
            ELSE d.decided_status END AS status,
       CASE WHEN c.current_entry_hash IS NULL THEN 'the list entry is no longer on the active list'
            WHEN c.retired_run_id IS NOT NULL THEN 'no longer produced by screening (run ' || c.retired_run_id || ')'
            WHEN d.case_key IS NULL THEN NULL
            WHEN d.decided_entry_hash IS DISTINCT FROM c.current_entry_hash
                THEN 'reopened: the list entry changed after it was ' || d.decided_status
            WHEN c.created_at > d.decided_at
                THEN 'reopened: new evidence (' || coalesce(o.evidence_id, '?') || ') after it was ' || d.decided_status
            ELSE d.decided_reason END AS status_reason
FROM cases c
LEFT JOIN last_decision d USING (case_key)
LEFT JOIN observations o ON o.observation_id = c.observation_id;

-- Analysts' views (documented in README).
CREATE VIEW v_open_findings AS
SELECT f.*, s.status, s.status_reason FROM v_findings f JOIN v_finding_status s USING (finding_id)
WHERE s.status IN ('open', 'escalated');

CREATE VIEW v_subject_summary AS
SELECT sub.subject_id, sub.kind, sub.name,
       count(DISTINCT f.finding_id) FILTER (WHERE s.status = 'open') AS open,
       count(DISTINCT f.finding_id) FILTER (WHERE s.status = 'escalated') AS escalated,
       count(DISTINCT f.finding_id) FILTER (WHERE s.status = 'confirmed') AS confirmed,
       count(DISTINCT f.finding_id) FILTER (WHERE s.status = 'dismissed') AS dismissed,
       string_agg(DISTINCT f.list_id, ', ' ORDER BY f.list_id) FILTER (WHERE s.status IN ('open', 'escalated', 'confirmed'))
           AS lists
FROM subjects sub
LEFT JOIN findings f ON f.subject_id = sub.subject_id
LEFT JOIN v_finding_status s USING (finding_id)
GROUP BY ALL;

CREATE VIEW v_partner_summary AS
SELECT o.subject_id, f.list_id, f.entry_name, o.evidence_year, o.relation,
       count(DISTINCT o.evidence_id) AS works, min(s.status) AS status
FROM findings f JOIN observations o USING (observation_id) JOIN v_finding_status s USING (finding_id)
WHERE o.relation IN ('coauthor_affiliation', 'affiliation', 'partner_institution')
GROUP BY ALL;

CREATE VIEW v_list_changes AS
SELECT a.list_id, a.activated_at, a.snapshot_id, a.reason, s.entries, s.published, s.sha256
FROM list_activations a JOIN list_snapshots s USING (snapshot_id);

CREATE VIEW v_decision_log AS
SELECT d.decided_at, d.decided_by, d.finding_id, d.case_key, d.previous_status, d.decision, d.status, d.reason
FROM decisions d;
