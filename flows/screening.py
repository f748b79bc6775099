"""Screening steps as plain functions (the flows wrap them; the CLI can call them without Prefect)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from highfence import store
from highfence.records import Finding, Observation
from highfence.matching import ListedEntry, Matcher, Thresholds
from highfence.store import evidence as evidence_store
from highfence.store import lists as list_store
from highfence.store import findings as findings_store
from highfence.store import runs
from highfence.store.db import utcnow

SCREENED_KINDS = ("organization", "other")  # organisations are screened; listed persons and vessels are not


def _entries(con) -> list[dict]:
    return list_store.active_entries(con, kinds=SCREENED_KINDS)


def matcher_for(con, thresholds: Thresholds = Thresholds(), rows: list[dict] | None = None) -> Matcher | None:
    rows = _entries(con) if rows is None else rows
    if not rows:
        return None
    from highfence.flows.match_strings import stored_ror_records

    return Matcher([ListedEntry(r["list_id"], r["entry_id"], r["name"], tuple(r["aliases"]), tuple(r["countries"]),
                                r["kind"], r["snapshot_id"]) for r in rows], thresholds,
                   ror_records=stored_ror_records(con))


def best_matches(matcher: Matcher, keys: list[tuple[str, str | None]], only: set[int] | None = None) -> list[list]:
    """For each (observed name, observed ROR id): the entries it links to through the reviewed crosswalk or names
    through the matcher, the strongest evidence per entry. ``only``: entry indexes to screen for (a delta screen);
    None screens for all."""
    keep = None if only is None else {(matcher.entries[i].list_id, matcher.entries[i].entry_id) for i in only}
    may_match = None if only is None else matcher.index.prefilter(only)
    out = []
    for name, ror in keys:
        if may_match is not None and not ror and not may_match(name):
            out.append([])  # cannot concern the changed entries: not parsed at all
            continue
        best: dict[tuple[str, str], object] = {}
        for m in matcher.match_ror(ror) + matcher.match(name, only_entries=only):
            k = (m.list_id, m.entry_id)
            if (keep is None or k in keep) and (k not in best or m.score > best[k].score):
                best[k] = m
        out.append(list(best.values()))
    return out


Partition = Callable[[Matcher, list, "set[int] | None"], list]


def findings_for(observations: list[Observation], matcher: Matcher, only: set[int] | None = None,
                 partition: Partition | None = None) -> list[Finding]:
    """Each observation against the active lists (``best_matches``), one finding per observation and list entry.
    Each distinct (name, ROR id) is matched once; ``partition`` spreads that over a task runner."""
    keys = list(dict.fromkeys((o.observed_name, o.observed_ror) for o in observations))
    matched = (partition if partition and keys else best_matches)(matcher, keys, only)
    by_key = dict(zip(keys, matched))
    return [Finding(obs.observation_id, obs.subject_id, obs.relation, m.list_id, m.entry_id, m.entry_name,
                    m.snapshot_id or "", m.matched_name, m.score, m.decision, m.explanation)
            for obs in observations for m in by_key[(obs.observed_name, obs.observed_ror)]]


def scale_settings(settings, task_runner: str | None = None, dask_address: str | None = None
                   ) -> tuple[str | None, str | None, int]:
    """The task runner, Dask address and worker count: the command line's, else the configured ones."""
    return (task_runner or settings["scale.task_runner"] or None,
            dask_address or settings["scale.dask_address"] or None, max(1, settings["scale.workers"]))


def partition_for(task_runner: str | None, dask_address: str | None = None, workers: int = 2) -> Partition | None:
    """Screening matched on a Prefect task runner (thread, process, dask), or None for in-process."""
    if not task_runner:
        return None

    def partition(matcher: Matcher, keys: list, only: set[int] | None) -> list:
        from highfence.flows.scale import screen_partitioned

        return screen_partitioned(matcher, keys, only, task_runner, dask_address, workers)

    return partition


def changed_entries(con, rows: list[dict]) -> tuple[set[tuple[str, str]], set[str]]:
    """Entries added or changed since each list was last screened, and the lists never screened at all."""
    last = dict(con.execute("""SELECT list_id, arg_max(snapshot_id, screened_at) FROM list_screening
                               GROUP BY list_id""").fetchall())
    before: dict[tuple[str, str], str] = {}
    if last:
        before = {(l, e): h for l, e, h in con.execute(
            """SELECT list_id, entry_id, content_hash FROM list_entries WHERE list_contains(?, snapshot_id)""",
            [list(last.values())]).fetchall()}
    unscreened = {r["list_id"] for r in rows if r["list_id"] not in last}
    changed = {(r["list_id"], r["entry_id"]) for r in rows
               if r["list_id"] in unscreened or before.get((r["list_id"], r["entry_id"])) != r["content_hash"]}
    return changed, unscreened


def screen_stored(con, run_id: str, thresholds: Thresholds = Thresholds(), delta: bool = False,
                  partition: Partition | None = None) -> dict:
    """Screen stored observations against the active lists and record which snapshots were screened.

    Full: every observation against every entry; findings not produced again are retired. Delta (after a list
    refresh): every observation against only the entries added or changed since the last screen (reverse
    screening through the same candidate index); findings of those entries not produced again are retired, and
    findings of removed entries become 'delisted' by themselves. Both leave the same open findings."""
    snapshots = dict(con.execute("SELECT list_id, snapshot_id FROM v_active_snapshots").fetchall())
    rows = _entries(con)
    outcome = {"mode": "delta" if delta else "full", "lists": snapshots, "findings_new": 0,
               "findings_seen_again": 0, "findings_retired": 0}
    matcher = matcher_for(con, thresholds, rows)
    if matcher is not None:
        hashes = {(r["list_id"], r["entry_id"]): r["content_hash"] for r in rows}
        only = None
        scope = None
        if delta:
            changed, _ = changed_entries(con, rows)
            only = {i for i, e in enumerate(matcher.entries) if (e.list_id, e.entry_id) in changed}
            only = matcher.same_organisation(only)  # pooled names: a change on one list touches its twins
            scope = [(matcher.entries[i].list_id, matcher.entries[i].entry_id) for i in only]
            outcome["entries_rescreened"] = len(only)
        observations = [Observation(o["subject_id"], o["relation"], o["observed_name"], o["source"],
                                    o["observed_ror"], o["evidence_id"], o["evidence_year"], o["source_url"],
                                    o["body_sha256"]) for o in evidence_store.observations(con)]
        if only is None or only:
            found = findings_for(observations, matcher, only, partition)
            new, again = findings_store.upsert(con, found, run_id, hashes)
            outcome["findings_new"], outcome["findings_seen_again"] = new, again
            outcome["findings_retired"] = findings_store.retire_unproduced(con, run_id, scope)
    now = utcnow()
    for list_id, snapshot_id in snapshots.items():
        con.execute("INSERT INTO list_screening VALUES (?, ?, ?, ?)", [list_id, snapshot_id, run_id, now])
    return outcome


def screen_roster(db: Path, settings, roster_path: Path, since: int | None = None, sources=None,
                  kind: str = "screen", flow_run_id: str | None = None, collect_only: bool = False,
                  call=None, task_runner: str | None = None, dask_address: str | None = None) -> dict:
    """Collect evidence for every subject of a roster, then screen everything stored. The run is recorded first;
    collection commits subject by subject (resumable); screening commits with the run's final status."""
    from highfence.flows.collect import collect, direct, make_sources
    from highfence.flows.roster import read_roster

    lock = settings["store.lock_timeout"]
    task_runner, dask_address, workers = scale_settings(settings, task_runner, dask_address)
    subjects = read_roster(roster_path)
    sources = sources or make_sources(settings, db)
    store.migrate(db, lock_timeout=lock)
    inputs = {"roster": str(roster_path), "subjects": len(subjects), "since": since}
    with store.connect(db, lock_timeout=lock) as con:
        run_id = runs.start(con, "collect" if collect_only else kind, inputs, flow_run_id)
    try:
        partitioned = None
        if task_runner:
            import os

            from highfence.flows.scale import collect_partitioned

            env = {k: v for k, v in os.environ.items() if k.startswith("HIGHFENCE_")}
            if settings.config_file:
                env["HIGHFENCE_CONFIG"] = str(settings.config_file)

            def partitioned(subs, pinned):
                return collect_partitioned(env, str(db), subs, pinned, since, str(roster_path), task_runner,
                                           dask_address, workers)
        collected = collect(db, sources, subjects, run_id, since, str(roster_path), lock, call or direct,
                            partitioned)
        outcome = {"run_id": run_id, "subjects": collected.subjects, "observations_new": collected.observations_new,
                   "errors": collected.errors, "needs_pin": collected.needs_pin}
        with store.connect(db, lock_timeout=lock) as con, store.transaction(con):
            if not collect_only:
                thresholds = Thresholds(settings["matching.match_threshold"], settings["matching.review_threshold"])
                outcome.update(screen_stored(con, run_id, thresholds,
                                             partition=partition_for(task_runner, dask_address, workers)))
            runs.finish(con, run_id, {k: v for k, v in outcome.items() if k != "run_id"})
    except BaseException as exc:
        with store.connect(db, lock_timeout=lock) as con:
            runs.fail(con, run_id, f"{type(exc).__name__}: {exc}")
        raise
    return outcome


def rescreen(db: Path, settings, delta: bool = False, kind: str | None = None, flow_run_id: str | None = None,
             task_runner: str | None = None, dask_address: str | None = None) -> dict:
    """Screen the stored evidence again (no collection): after a list refresh, ``delta`` re-screens only what
    changed. The run and its results commit together. ``task_runner``: match on a Prefect task runner."""
    lock = settings["store.lock_timeout"]
    task_runner, dask_address, workers = scale_settings(settings, task_runner, dask_address)
    store.migrate(db, lock_timeout=lock)
    thresholds = Thresholds(settings["matching.match_threshold"], settings["matching.review_threshold"])
    with store.connect(db, lock_timeout=lock) as con:
        run_id = runs.start(con, kind or ("screen-delta" if delta else "screen-full"), {"delta": delta}, flow_run_id)
        try:
            with store.transaction(con):
                outcome = screen_stored(con, run_id, thresholds, delta=delta,
                                        partition=partition_for(task_runner, dask_address, workers))
                runs.finish(con, run_id, outcome)
        except BaseException as exc:
            runs.fail(con, run_id, f"{type(exc).__name__}: {exc}")
            raise
    store.publish_read_copy(db, lock_timeout=lock)
    return {"run_id": run_id, **outcome}
