"""Screening steps as plain functions (the flows wrap them; the CLI can call them without Prefect)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import store
from connectors.openalex import observations_from_works
from highfence.errors import InputError
from highfence.records import Finding, Observation, Subject
from matching import ListedEntry, Matcher, Thresholds
from store import evidence as evidence_store
from store import lists as list_store
from store import findings as findings_store
from store import runs

SCREENED_KINDS = ("organization", "other")  # organisations are screened; listed persons and vessels are not


@dataclass
class ScreenOutcome:
    run_id: str
    subjects: int = 0
    observations_new: int = 0
    findings_new: int = 0
    findings_seen_again: int = 0
    lists: dict[str, str] = field(default_factory=dict)  # list_id -> snapshot_id screened against


def partner_observations(subjects: list[Subject], roster_source: str) -> list[Observation]:
    """A partner institution is itself the thing to screen: its roster name (and ROR id) is the observation."""
    return [Observation(s.subject_id, "partner_institution", s.name, "roster", observed_ror=s.ror_id,
                        evidence_id=f"roster:{s.subject_id}", source_url=roster_source)
            for s in subjects if s.kind == "institution"]


def read_works_file(path: Path) -> tuple[list[dict], bytes]:
    try:
        body = path.read_bytes()
        doc = json.loads(body)
    except FileNotFoundError:
        raise InputError("evidence file not found", file=str(path)) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg})", file=str(path), row=exc.lineno) from None
    works = doc.get("results") if isinstance(doc, dict) else doc
    if not isinstance(works, list):
        raise InputError("expected an OpenAlex works response with 'results'", file=str(path))
    return works, body


def matcher_for(con, thresholds: Thresholds = Thresholds()) -> Matcher | None:
    rows = list_store.active_entries(con, kinds=SCREENED_KINDS)
    if not rows:
        return None
    from flows.matching import stored_ror_records

    return Matcher([ListedEntry(r["list_id"], r["entry_id"], r["name"], tuple(r["aliases"]), tuple(r["countries"]),
                                r["kind"], r["snapshot_id"]) for r in rows], thresholds,
                   ror_records=stored_ror_records(con))


def findings_for(observations: list[Observation], matcher: Matcher) -> list[Finding]:
    """Each observation against every active list: its ROR id through the reviewed crosswalk, its name or raw
    affiliation string through the matcher. One finding per observation and list entry, the strongest evidence."""
    cache: dict[tuple[str, str | None], list] = {}
    out: list[Finding] = []
    for obs in observations:
        key = (obs.observed_name, obs.observed_ror)
        if key not in cache:
            best: dict[tuple[str, str], object] = {}
            for m in matcher.match_ror(obs.observed_ror) + matcher.match(obs.observed_name):
                k = (m.list_id, m.entry_id)
                if k not in best or m.score > best[k].score:
                    best[k] = m
            cache[key] = list(best.values())
        for m in cache[key]:
            out.append(Finding(obs.observation_id, obs.subject_id, obs.relation, m.list_id, m.entry_id, m.entry_name,
                               m.snapshot_id or "", m.matched_name, m.score, m.decision, m.explanation))
    return out


def screen_stored(con, run_id: str, thresholds: Thresholds = Thresholds()) -> tuple[int, int, dict[str, str]]:
    """Screen every stored observation against the active lists; (new findings, seen again, snapshots)."""
    snapshots = dict(con.execute("SELECT list_id, snapshot_id FROM v_active_snapshots").fetchall())
    matcher = matcher_for(con, thresholds)
    if matcher is None:
        return 0, 0, snapshots
    observations = [Observation(o["subject_id"], o["relation"], o["observed_name"], o["source"],
                                o["observed_ror"], o["evidence_id"], o["evidence_year"], o["source_url"],
                                o["body_sha256"]) for o in evidence_store.observations(con)]
    new, again = findings_store.upsert(con, findings_for(observations, matcher), run_id)
    return new, again, snapshots


def screen_roster_with_works(db: Path, roster_path: Path, subjects: list[Subject], works_path: Path,
                             kind: str = "screen", flow_run_id: str | None = None,
                             lock_timeout: float = 30.0) -> ScreenOutcome:
    """Store the roster and the evidence in the works file, screen, and record the run: all in one transaction,
    so a failure leaves the store as it was and the run marked failed."""
    works, body = read_works_file(works_path)
    inputs = {"roster": str(roster_path), "evidence": str(works_path), "subjects": len(subjects)}
    store.migrate(db, lock_timeout=lock_timeout)
    with store.connect(db, lock_timeout=lock_timeout) as con:
        run_id = runs.start(con, kind, inputs, flow_run_id)
        outcome = ScreenOutcome(run_id, subjects=len(subjects))
        try:
            with store.transaction(con):
                evidence_store.upsert_subjects(con, subjects, str(roster_path))
                sha = evidence_store.keep_raw(con, "openalex", str(works_path), body, content_type="application/json")
                observations = partner_observations(subjects, str(roster_path))
                for s in subjects:
                    if s.kind == "researcher" and s.openalex_id:
                        observations += observations_from_works(works, s.subject_id, s.openalex_id, sha)
                outcome.observations_new = evidence_store.add_observations(con, observations, run_id)
                outcome.findings_new, outcome.findings_seen_again, outcome.lists = screen_stored(con, run_id)
                runs.finish(con, run_id, {k: v for k, v in outcome.__dict__.items() if k != "run_id"})
        except BaseException as exc:
            runs.fail(con, run_id, f"{type(exc).__name__}: {exc}")
            raise
    return outcome


def screen_roster(db: Path, settings, roster_path: Path, since: int | None = None, sources=None,
                  kind: str = "screen", flow_run_id: str | None = None, collect_only: bool = False) -> dict:
    """Collect evidence for every subject of a roster, then screen everything stored. The run is recorded first;
    collection commits subject by subject (resumable); screening commits with the run's final status."""
    from flows.collect import collect, make_sources
    from flows.roster import read_roster

    lock = settings["store.lock_timeout"]
    subjects = read_roster(roster_path)
    sources = sources or make_sources(settings, db)
    store.migrate(db, lock_timeout=lock)
    inputs = {"roster": str(roster_path), "subjects": len(subjects), "since": since}
    with store.connect(db, lock_timeout=lock) as con:
        run_id = runs.start(con, "collect" if collect_only else kind, inputs, flow_run_id)
    try:
        collected = collect(db, sources, subjects, run_id, since, str(roster_path), lock)
        outcome = {"run_id": run_id, "subjects": collected.subjects, "observations_new": collected.observations_new,
                   "errors": collected.errors, "needs_pin": collected.needs_pin}
        with store.connect(db, lock_timeout=lock) as con, store.transaction(con):
            if not collect_only:
                thresholds = Thresholds(settings["matching.match_threshold"], settings["matching.review_threshold"])
                new, again, lists = screen_stored(con, run_id, thresholds)
                outcome.update(findings_new=new, findings_seen_again=again, lists=lists)
            runs.finish(con, run_id, {k: v for k, v in outcome.items() if k != "run_id"})
    except BaseException as exc:
        with store.connect(db, lock_timeout=lock) as con:
            runs.fail(con, run_id, f"{type(exc).__name__}: {exc}")
        raise
    return outcome
