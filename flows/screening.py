"""Screening steps as plain functions (the flows wrap them; the CLI can call them without Prefect)."""

from __future__ import annotations

from pathlib import Path

import store
from highfence.records import Finding, Observation
from matching import ListedEntry, Matcher, Thresholds
from store import evidence as evidence_store
from store import lists as list_store
from store import findings as findings_store
from store import runs

SCREENED_KINDS = ("organization", "other")  # organisations are screened; listed persons and vessels are not


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
