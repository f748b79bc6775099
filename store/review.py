"""Review decisions: an append-only log; a finding's status is derived from it (see v_finding_status)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from duckdb import DuckDBPyConnection

from highfence.errors import InputError
from highfence.reports.cells import looks_like_formula
from highfence.store import decision_chain
from highfence.store.db import utcnow

STATUS_OF = {"confirm": "confirmed", "dismiss": "dismissed", "escalate": "escalated"}


@dataclass(frozen=True)
class DecisionRequest:
    finding_id: str
    decision: str
    reason: str
    by: str
    by_name: str = ""  # a configured display name that accompanies ``by``
    os_user: str = ""  # who ran the command, whatever ``by`` says


@dataclass(frozen=True)
class LoggedDecision:
    decided_at: datetime
    decided_by: str
    case_key: str
    previous_status: str
    status: str
    reason: str
    decided_by_name: str | None = None


def finding_status(con, finding_id: str) -> dict | None:
    """The finding's derived status, case and decision basis, screening or reconciliation finding alike."""
    cur = con.execute("SELECT * FROM v_finding_status WHERE finding_id = ?", [finding_id])
    rows = cur.fetchall()
    return dict(zip([d[0] for d in cur.description], rows[0])) if rows else None


def check_identity(value: str, what: str, where: str = "") -> str | None:
    """Why a name for who decided cannot be recorded, or None: it lands in spreadsheets, so no formula."""
    if looks_like_formula(value):
        return f"{where}{what} must not start with = + - @, a tab or a carriage return, got {value[:20]!r}"
    if any(ord(c) < 32 for c in value):
        return f"{where}{what} must not contain control characters"
    return None


def check(con, req: DecisionRequest, where: str = "") -> str | None:
    """Why the decision cannot be applied, or None."""
    if req.decision not in STATUS_OF:
        return f"{where}decision must be confirm, dismiss or escalate, got {req.decision!r}"
    if not req.reason.strip():
        return f"{where}a reason is required"
    if not req.by.strip():
        return f"{where}who decided is required"
    problem = check_identity(req.by, "who decided (--by)", where) or \
        (check_identity(req.by_name, "the reviewer display name (review.display_name)", where) if req.by_name else None)
    if problem:
        return problem
    current = finding_status(con, req.finding_id)
    if current is None:
        return f"{where}no finding {req.finding_id!r}"
    if current["restricted"]:
        return f"{where}finding {req.finding_id} is restricted (from an NDA collaboration): not reviewed here"
    if current["status"] in ("delisted", "superseded"):
        return f"{where}finding {req.finding_id} is {current['status']}: {current['status_reason']}"
    return None


def record(con, req: DecisionRequest) -> dict:
    """Append one decision to the chain (call inside a transaction, after ``check`` and ``require_intact``)."""
    current = finding_status(con, req.finding_id)
    now = utcnow()
    decision_id = hashlib.sha256(f"{req.finding_id}|{req.decision}|{now.isoformat()}".encode()).hexdigest()[:16]
    decision_chain.append(con, {
        "decision_id": decision_id, "finding_id": req.finding_id, "case_key": current["case_key"],
        "decision": req.decision, "status": STATUS_OF[req.decision], "reason": req.reason.strip(),
        "decided_by": req.by.strip(), "decided_by_name": req.by_name.strip() or None,
        "os_user": req.os_user or None, "decided_at": now, "previous_status": current["status"],
        "entry_content_hash": current["decision_basis"]})
    return {"decision_id": decision_id, "finding_id": req.finding_id, "previous_status": current["status"],
            "status": STATUS_OF[req.decision]}


def apply_all(con, requests: list[tuple[str, DecisionRequest]]) -> list[dict]:
    """Validate every request, then apply all of them, or none: (where, request) pairs. A broken chain takes none."""
    decision_chain.require_intact(con)
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
    decided_by_name: str | None = None


def decision_log(con, case_key: str) -> list[DecisionLogEntry]:
    """Every decision on a case, oldest first (a broken chain is refused)."""
    decision_chain.require_intact(con)
    rows = con.execute("""SELECT decided_at, decided_by, previous_status, status, reason, decided_by_name FROM decisions
                          WHERE case_key = ? ORDER BY seq""", [case_key]).fetchall()
    return [DecisionLogEntry(*r) for r in rows]


def decisions_for(con: DuckDBPyConnection, subject_ids: list[str]) -> list[LoggedDecision]:
    """Every decision on these subjects' findings (screening and reconciliation), oldest first (a broken chain is
    refused)."""
    decision_chain.require_intact(con)
    rows = con.execute("""SELECT d.decided_at, d.decided_by, d.case_key, d.previous_status, d.status, d.reason,
                                 d.decided_by_name
                          FROM decisions d
                          JOIN (SELECT finding_id, subject_id FROM findings
                                UNION ALL SELECT finding_id, subject_id FROM disclosure_findings WHERE NOT restricted)
                               f USING (finding_id)
                          WHERE list_contains(?, f.subject_id) ORDER BY d.seq""", [subject_ids]).fetchall()
    return [LoggedDecision(*r) for r in rows]
