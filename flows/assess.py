"""Assessing subjects under a rule pack, as of a date: gather the facts from the store, evaluate, store."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from highfence import store
from highfence.risk.areas import classify
from highfence.risk.evaluate import Assessment, Fact, Position, evaluate
from highfence.risk.packs import Pack
from highfence.store import disclosures as disclosure_store
from highfence.store import runs
from highfence.store.db import utcnow


def facts_for(con, subject_id: str) -> list[Fact]:
    screening = con.execute("""
        SELECT f.finding_id, f.relation, f.list_id, f.entry_id, e.programs, o.evidence_id, o.evidence_year,
               e.listed_on, s.status, f.decision
        FROM findings f JOIN v_finding_status s USING (finding_id) JOIN observations o USING (observation_id)
        LEFT JOIN list_entries e ON e.snapshot_id = f.snapshot_id AND e.entry_id = f.entry_id
        WHERE f.subject_id = ?""", [subject_id]).fetchall()
    reconciled = con.execute("""
        SELECT d.finding_id, d.relation, d.list_id, d.entry_id, e.programs, d.evidence_id, d.evidence_year,
               e.listed_on, 'open', coalesce(d.decision, 'match')
        FROM disclosure_findings d LEFT JOIN v_active_entries e ON e.list_id = d.list_id AND e.entry_id = d.entry_id
        WHERE d.subject_id = ? AND d.relation <> 'unverified_disclosure'""", [subject_id]).fetchall()
    out = []
    for fid, rel, lst, ent, programs, ev, year, listed_on, status, decision in screening + reconciled:
        out.append(Fact(fid, rel, lst, ent, tuple(programs or ()), ev, year, listed_on, status, decision))
    return out


def positions_for(con, subject_id: str) -> list[Position]:
    current = disclosure_store.current(con, [subject_id]).get(subject_id)
    if not current:
        return []
    out = []
    for item in current[1].affiliations:
        start, end = item.period()
        out.append(Position(item.get("kind"), item.get("organization"), start.year if start else None,
                            end.year if end else None))
    return out


def areas_for(con, subject_id: str, proposal: str | None = None):
    works = con.execute("SELECT work_key, coalesce(title, '') || '; ' || coalesce(topics, '') FROM works "
                        "WHERE subject_id = ? ORDER BY work_key", [subject_id]).fetchall()
    return classify(works, proposal)


def assess(db: Path, pack: Pack, as_of: dt.date, subject: str | None = None, area_text: str | None = None,
           lock_timeout: float = 30.0, flow_run_id: str | None = None) -> list[Assessment]:
    store.migrate(db, lock_timeout=lock_timeout)
    with store.connect(db, lock_timeout=lock_timeout) as con:
        subjects = [r[0] for r in con.execute(
            "SELECT subject_id FROM subjects WHERE kind = 'researcher'" + (" AND subject_id = ?" if subject else "")
            + " ORDER BY 1", [subject] if subject else []).fetchall()]
        if subject and not subjects:
            from highfence.errors import InputError

            raise InputError(f"no researcher {subject!r} in the store")
        run_id = runs.start(con, "assess", {"pack": pack.id, "version": pack.version, "as_of": as_of.isoformat()},
                            flow_run_id)
        try:
            with store.transaction(con):
                results = [evaluate(pack, s, as_of, facts_for(con, s), positions_for(con, s),
                                    areas_for(con, s, area_text)) for s in subjects]
                now = utcnow()
                for a in results:
                    aid = hashlib.sha256(f"{a.subject_id}|{a.pack}|{a.pack_version}|{a.as_of}|{run_id}".encode()
                                         ).hexdigest()[:16]
                    con.execute("INSERT INTO assessments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                [aid, a.subject_id, a.pack, a.pack_version, a.as_of, a.outcome,
                                 json.dumps(a.triggers, ensure_ascii=False, default=str),
                                 json.dumps(a.areas, ensure_ascii=False), json.dumps(a.mitigations, ensure_ascii=False),
                                 run_id, now])
                runs.finish(con, run_id, {"assessed": len(results),
                                          "outcomes": {a.subject_id: a.outcome for a in results}})
        except BaseException as exc:
            runs.fail(con, run_id, f"{type(exc).__name__}: {exc}")
            raise
    return results
