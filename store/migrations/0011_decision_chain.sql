-- The decision log becomes tamper-evident, and reconciliation findings become reviewable.
--
-- Each decision carries its place in the log (seq), the hash of the decision before it and its own hash: sha256
-- over the previous hash and a canonical form of the row (store/decision_chain.py). The head (last seq and hash) is
-- kept apart, so deleting the latest decisions shows too. The rows already in the log are chained, oldest first,
-- by the Python step that runs with this migration (store/db.py, _after_migration).
ALTER TABLE decisions ADD COLUMN seq BIGINT;
ALTER TABLE decisions ADD COLUMN decided_by_name VARCHAR;  -- the configured display name, if any
ALTER TABLE decisions ADD COLUMN os_user VARCHAR;          -- the operating-system user who ran the command
ALTER TABLE decisions ADD COLUMN prev_hash VARCHAR;
ALTER TABLE decisions ADD COLUMN row_hash VARCHAR;

CREATE TABLE decision_chain_head (
    seq       BIGINT NOT NULL,
    row_hash  VARCHAR NOT NULL
);

-- Screening findings as before; reconciliation findings (disclosure_findings) beside them. A reconciliation finding
-- is recomputed by every reconcile run, so its case is the finding itself and what a decision rests on is the
-- finding's content: a decision stands until the evidence or the explanation changes.
-- decision_basis is what record() stores in decisions.entry_content_hash.
CREATE OR REPLACE VIEW v_finding_status AS
WITH cases AS (
    SELECT f.*, f.subject_id || '|' || f.relation || '|' || f.list_id || '|' || f.entry_id AS case_key,
           e.content_hash AS current_entry_hash
    FROM findings f
    LEFT JOIN v_active_entries e ON e.list_id = f.list_id AND e.entry_id = f.entry_id
         AND (e.removed_on IS NULL OR e.removed_on > current_date)
),
reconciliation AS (
    SELECT r.finding_id, 'reconciliation|' || r.finding_id AS case_key, r.restricted,
           sha256(concat_ws(chr(31), r.relation, r.observed_name, coalesce(r.list_id, ''), coalesce(r.entry_id, ''),
                            r.explanation, r.evidence::VARCHAR)) AS basis
    FROM disclosure_findings r
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
            ELSE d.decided_reason END AS status_reason,
       'screening' AS kind, c.entry_content_hash AS decision_basis, false AS restricted
FROM cases c
LEFT JOIN last_decision d USING (case_key)
LEFT JOIN observations o ON o.observation_id = c.observation_id
UNION ALL
SELECT r.finding_id, r.case_key,
       CASE WHEN d.case_key IS NULL THEN 'open'
            WHEN d.decided_entry_hash IS DISTINCT FROM r.basis THEN 'open'
            ELSE d.decided_status END AS status,
       CASE WHEN d.case_key IS NULL THEN NULL
            WHEN d.decided_entry_hash IS DISTINCT FROM r.basis
                THEN 'reopened: the evidence changed after it was ' || d.decided_status
            ELSE d.decided_reason END AS status_reason,
       'reconciliation' AS kind, r.basis AS decision_basis, r.restricted
FROM reconciliation r
LEFT JOIN last_decision d USING (case_key);

CREATE OR REPLACE VIEW v_decision_log AS
SELECT d.seq, d.decided_at, d.decided_by, d.decided_by_name, d.os_user, d.finding_id, d.case_key,
       d.previous_status, d.decision, d.status, d.reason, d.row_hash
FROM decisions d;
