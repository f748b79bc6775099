"""Assessing subjects under a rule pack, as of a date: gather the facts from the store, evaluate, store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from duckdb import DuckDBPyConnection

from highfence import store
from highfence.risk.areas import AreaHit, classify
from highfence.risk.coverage import Coverage, Snapshot, coverage
from highfence.risk.evaluate import Assessment, Fact, Notice, Position, evaluate
from highfence.risk.packs import Pack
from highfence.store import assessment as assessment_store
from highfence.store import disclosures as disclosure_store
from highfence.store import evidence, integrity, lists, runs
from highfence.store.restricted import Restricted


def facts_for(con: DuckDBPyConnection, subject_id: str, restricted_findings: list[dict] = ()) -> list[Fact]:
    return assessment_store.facts(con, subject_id, restricted_findings)


def positions_for(con: DuckDBPyConnection, subject_id: str) -> list[Position]:
    current = disclosure_store.current(con, [subject_id]).get(subject_id)
    if not current:
        return []
    out = []
    for item in current[1].affiliations:
        start, end = item.period()
        out.append(Position(item.get("kind"), item.get("organization"), start.year if start else None,
                            end.year if end else None))
    return out


def notices_for(con: DuckDBPyConnection, subject_id: str) -> list[Notice]:
    return [Notice(n.update_type, n.work_doi, n.notice_doi, n.notice_date)
            for n in integrity.notices(con, [subject_id])]


def areas_for(con: DuckDBPyConnection, subject_id: str, proposal: str | None = None) -> list[AreaHit]:
    works = assessment_store.works(con, subject_id)
    return classify([(w.work_key, f"{w.title or ''}; {w.topics or ''}") for w in works], proposal)


def coverage_for(con: DuckDBPyConnection, pack: Pack, as_of: dt.date, max_list_age_days: int) -> Coverage:
    snaps = [Snapshot(s.list_id, s.snapshot_id, s.published, s.retrieved_at) for s in lists.active_snapshots(con)]
    return coverage(pack.required_lists, snaps, as_of, max_list_age_days)


def assess(db: Path, pack: Pack, as_of: dt.date, subject: str | None = None, area_text: str | None = None,
           lock_timeout: float = 30.0, flow_run_id: str | None = None,
           restricted: Restricted | None = None, max_list_age_days: int = 45) -> list[Assessment]:
    """Assess and store. With ``restricted`` (the key, and an assessment asked to include NDA-derived findings) the
    results are sealed in the restricted store and the live run record keeps counts only."""
    store.migrate(db, lock_timeout=lock_timeout)
    with store.connect(db, lock_timeout=lock_timeout) as con:
        subjects = evidence.researcher_ids(con, subject)
        if subject and not subjects:
            from highfence.errors import InputError

            raise InputError(f"no researcher {subject!r} in the store")
        run_id = runs.start(con, "assess", {"pack": pack.id, "version": pack.version, "as_of": as_of.isoformat(),
                                            **({"restricted": True} if restricted else {})}, flow_run_id)
        try:
            sealed: dict[str, list[dict]] = {}
            if restricted is not None:
                for r in restricted.read("disclosure_finding", subjects):
                    sealed.setdefault(r.subject_id, []).append(r.content)
            with store.transaction(con):
                covered = coverage_for(con, pack, as_of, max_list_age_days)
                results = [evaluate(pack, s, as_of, facts_for(con, s, sealed.get(s, [])), positions_for(con, s),
                                    areas_for(con, s, area_text), covered, notices_for(con, s)) for s in subjects]
                if restricted is None:
                    assessment_store.add(con, results, run_id)
                    runs.finish(con, run_id, {"assessed": len(results),
                                              "outcomes": {a.subject_id: a.outcome for a in results},
                                              "lists_not_checked": [n["list_id"] for n in covered.not_checked]})
                else:
                    assessment_store.add_restricted(restricted, results, run_id)
                    runs.finish(con, run_id, {"assessed": len(results), "sealed": True})
        except BaseException as exc:
            runs.fail(con, run_id, f"{type(exc).__name__}: {exc}")
            raise
    return results
