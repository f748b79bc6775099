"""Review decisions: an append-only log; a finding's status is derived from it (see v_finding_status)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from duckdb import DuckDBPyConnection

from highfence.errors import InputError
from highfence.store.db import utcnow

STATUS_OF = {"confirm": "confirmed", "dismiss": "dismissed", "escalate": "escalated"}


@dataclass(frozen=True)
class DecisionRequest:
    finding_id: str
    decision: str
    reason: str
    by: str


@dataclass(frozen=True)
class LoggedDecision:
    decided_at: datetime
    decided_by: str
    case_key: str
    previous_status: str
    status: str
    reason: str


def finding_status(con, finding_id: str) -> dict | None:
    cur = con.execute("""SELECT s.*, f.entry_content_hash FROM v_finding_status s JOIN findings f USING (finding_id)
                         WHERE finding_id = ?""", [finding_id])
    rows = cur.fetchall()
    return dict(zip([d[0] for d in cur.description], rows[0])) if rows else None


def check(con, req: DecisionRequest, where: str = "") -> str | None:
    """Why the decision cannot be applied, or None."""
    if req.decision not in STATUS_OF:
        return f"{where}decision must be confirm, dismiss or escalate, got {req.decision!r}"
    if not req.reason.strip():
        return f"{where}a reason is required"
    if not req.by.strip():
        return f"{where}who decided is required"
    current = finding_status(con, req.finding_id)
    if current is None:
        return f"{where}no finding {req.finding_id!r}"
    if current["status"] in ("delisted", "superseded"):
        return f"{where}finding {req.finding_id} is {current['status']}: {current['status_reason']}"
    return None


def record(con, req: DecisionRequest) -> dict:
    """Append one decision (call inside a transaction, after ``check``)."""
    current = finding_status(con, req.finding_id)
    now = utcnow()
    decision_id = hashlib.sha256(f"{req.finding_id}|{req.decision}|{now.isoformat()}".encode()).hexdigest()[:16]
    con.execute("INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [decision_id, req.finding_id, current["case_key"], req.decision, STATUS_OF[req.decision],
                 req.reason.strip(), req.by.strip(), now, current["status"], current["entry_content_hash"]])
    return {"decision_id": decision_id, "finding_id": req.finding_id, "previous_status": current["status"],
            "status": STATUS_OF[req.decision]}


def apply_all(con, requests: list[tuple[str, DecisionRequest]]) -> list[dict]:
    """Validate every request, then apply all of them, or none: (where, request) pairs."""
    problems = [p for where, r in requests if (p := check(con, r, where))]
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InputError(f"{problems[0]}{more}; no decision was applied")
    return [record(con, r) for _, r in requests]


@dataclass(frozen=True)
class DecisionLogEntry:
    decided_at: datetime
    decided_by: str
    previous_status: str
    status: str
    reason: str


def decision_log(con, case_key: str) -> list[DecisionLogEntry]:
    """Every decision on a case, oldest first."""
    rows = con.execute("""SELECT decided_at, decided_by, previous_status, status, reason FROM decisions
                          WHERE case_key = ? ORDER BY decided_at""", [case_key]).fetchall()
    return [DecisionLogEntry(*r) for r in rows]


def decisions_for(con: DuckDBPyConnection, subject_ids: list[str]) -> list[LoggedDecision]:
    """Every decision on these subjects' findings, oldest first."""
    rows = con.execute("""SELECT d.decided_at, d.decided_by, d.case_key, d.previous_status, d.status, d.reason
                          FROM decisions d JOIN findings f USING (finding_id)
                          WHERE list_contains(?, f.subject_id) ORDER BY d.decided_at""", [subject_ids]).fetchall()
    return [LoggedDecision(*r) for r in rows]
