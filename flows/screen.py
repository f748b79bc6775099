"""Screening: collect open-source evidence for a roster and screen it against the active lists.

The steps are plain functions (``screen_roster``, ``rescreen``, ``screen_stored``); ``screen_flow`` is the Prefect
flow over them. In a flow run each source's work for each subject is a Prefect task named after the source, with
retries and the tag ``highfence:<source>``: a concurrency limit on that tag (``prefect concurrency-limit create
highfence:openalex 4``) holds across every worker."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.runtime import flow_run

from highfence.store import Store, StoreLike
from highfence.flows.active_lists import active_matcher, screened_entries
from highfence.flows.engine import scale_settings, step
from highfence.matching import Matcher, Thresholds
from highfence.matching.screening import Partition, findings_for
from highfence.records import INTEGRITY_TYPES
from highfence.settings import Settings
from highfence.store import evidence as evidence_store
from highfence.store import findings as findings_store
from highfence.store import lists as list_store
from highfence.store import runs
from highfence.store.db import transaction, utcnow
from highfence.store.lists import ActiveEntry


def partition_for(task_runner: str | None, dask_address: str | None = None, workers: int = 2) -> Partition | None:
    """Screening matched on a Prefect task runner (thread, process, dask), or None for in-process."""
    if not task_runner:
        return None

    def partition(matcher: Matcher, keys: list, only: set[int] | None) -> list:
        from highfence.flows.scale import screen_partitioned

        return screen_partitioned(matcher, keys, only, task_runner, dask_address, workers)

    return partition


def changed_entries(con, entries: list[ActiveEntry]) -> tuple[set[tuple[str, str]], set[str]]:
    """Entries added or changed since each list was last screened, and the lists never screened at all."""
    last = list_store.last_screened_snapshots(con)
    before = list_store.entry_hashes(con, list(last.values()))
    unscreened = {e.list_id for e in entries if e.list_id not in last}
    changed = {(e.list_id, e.entry_id) for e in entries
               if e.list_id in unscreened or before.get((e.list_id, e.entry_id)) != e.content_hash}
    return changed, unscreened


def screen_stored(con, run_id: str, thresholds: Thresholds = Thresholds(), delta: bool = False,
                  partition: Partition | None = None) -> dict:
    """Screen stored observations against the active lists and record which snapshots were screened.

    Full: every observation against every entry; findings not produced again are retired. Delta (after a list
    refresh): every observation against only the entries added or changed since the last screen (reverse
    screening through the same candidate index); findings of those entries not produced again are retired, and
    findings of removed entries become 'delisted' by themselves. Both leave the same open findings."""
    snapshots = list_store.active_snapshot_ids(con)
    entries = screened_entries(con)
    outcome = {"mode": "delta" if delta else "full", "lists": snapshots, "findings_new": 0,
               "findings_seen_again": 0, "findings_retired": 0}
    matcher = active_matcher(con, thresholds, entries)
    if matcher is not None:
        hashes = {(e.list_id, e.entry_id): e.content_hash for e in entries}
        only = None
        scope = None
        if delta:
            changed, _ = changed_entries(con, entries)
            only = {i for i, e in enumerate(matcher.entries) if (e.list_id, e.entry_id) in changed}
            only = matcher.same_organisation(only)  # pooled names: a change on one list touches its twins
            scope = [(matcher.entries[i].list_id, matcher.entries[i].entry_id) for i in only]
            outcome["entries_rescreened"] = len(only)
        # integrity notices name a notice DOI, not an organisation: nothing to screen against a list
        observations = [o for o in evidence_store.observations(con) if o.relation not in INTEGRITY_TYPES]
        if only is None or only:
            found = findings_for(observations, matcher, only, partition)
            new, again = findings_store.upsert(con, found, run_id, hashes)
            outcome["findings_new"], outcome["findings_seen_again"] = new, again
            outcome["findings_retired"] = findings_store.retire_unproduced(con, run_id, scope)
    list_store.record_screening(con, snapshots, run_id, utcnow())
    return outcome


def screen_roster(db: StoreLike, settings: Settings, roster_path: Path, since: int | None = None, sources=None,
                  kind: str = "screen", flow_run_id: str | None = None, collect_only: bool = False,
                  call=None, task_runner: str | None = None, dask_address: str | None = None) -> dict:
    """Collect evidence for every subject of a roster, then screen everything stored. The run is recorded first;
    collection commits subject by subject (resumable); screening commits with the run's final status."""
    from highfence.flows.collect import call_inline, collect, make_sources
    from highfence.flows.roster import read_roster

    st = Store.of(db, settings.store.lock_timeout)
    task_runner, dask_address, workers = scale_settings(settings, task_runner, dask_address)
    subjects = read_roster(roster_path)
    sources = sources or make_sources(settings, st)
    st.migrate()
    inputs = {"roster": str(roster_path), "subjects": len(subjects), "since": since}
    with st.connect() as con:
        run_id = runs.start(con, "collect" if collect_only else kind, inputs, flow_run_id)
    try:
        partitioned = None
        if task_runner:
            import os

            from highfence.flows.scale import collect_partitioned

            from highfence.settings import SECRET_ENV

            # task parameters are recorded: secrets stay out, and each worker reads them from its own environment
            env = {k: v for k, v in os.environ.items() if k.startswith("HIGHFENCE_") and k not in SECRET_ENV}
            if settings.config_file:
                env["HIGHFENCE_CONFIG"] = str(settings.config_file)

            def collect_on_runner(subs, pinned):
                return collect_partitioned(env, str(st.path), subs, pinned, since, str(roster_path), task_runner,
                                           dask_address, workers)
            partitioned = collect_on_runner
        collected = collect(st, sources, subjects, run_id, since, str(roster_path), call or call_inline,
                            partitioned)
        outcome = {"run_id": run_id, "subjects": collected.subjects, "observations_new": collected.observations_new,
                   "errors": collected.errors, "needs_pin": collected.needs_pin, "sources": collected.sources}
        with st.writer() as con:
            if not collect_only:
                thresholds = Thresholds(settings.matching.match_threshold, settings.matching.review_threshold)
                outcome.update(screen_stored(con, run_id, thresholds,
                                             partition=partition_for(task_runner, dask_address, workers)))
            runs.finish(con, run_id, {k: v for k, v in outcome.items() if k != "run_id"})
    except BaseException as exc:
        with st.connect() as con:
            runs.fail(con, run_id, f"{type(exc).__name__}: {exc}")
        raise
    return outcome


def rescreen(db: StoreLike, settings: Settings, delta: bool = False, kind: str | None = None, flow_run_id: str | None = None,
             task_runner: str | None = None, dask_address: str | None = None) -> dict:
    """Screen the stored evidence again (no collection): after a list refresh, ``delta`` re-screens only what
    changed. The run and its results commit together. ``task_runner``: match on a Prefect task runner."""
    st = Store.of(db, settings.store.lock_timeout)
    task_runner, dask_address, workers = scale_settings(settings, task_runner, dask_address)
    st.migrate()
    thresholds = Thresholds(settings.matching.match_threshold, settings.matching.review_threshold)
    with st.connect() as con:
        run_id = runs.start(con, kind or ("screen-delta" if delta else "screen-full"), {"delta": delta}, flow_run_id)
        try:
            with transaction(con):
                outcome = screen_stored(con, run_id, thresholds, delta=delta,
                                        partition=partition_for(task_runner, dask_address, workers))
                runs.finish(con, run_id, outcome)
        except BaseException as exc:
            runs.fail(con, run_id, f"{type(exc).__name__}: {exc}")
            raise
    st.publish_read_copy()
    return {"run_id": run_id, **outcome}


@task(retries=2, retry_delay_seconds=10)
def source_task(source: str, fn):
    return fn()


def as_source_task(source: str, fn):
    """One source's work for one subject as a Prefect task named after the source (plain call in-process)."""
    return step(source_task.with_options(name=source, tags=[f"highfence:{source}"]), source, fn)


@flow(name="screen", log_prints=False)
def screen_flow(db: Path, settings: Settings, roster: Path, since: int | None = None,
                collect_only: bool = False, task_runner: str | None = None, dask_address: str | None = None) -> dict:
    """``settings`` is a parameter, so Prefect stores it: pass ``settings.without_secrets()``; the secrets are read
    again here, from the environment and the configuration file."""
    settings = settings.with_secrets()
    outcome = screen_roster(db, settings, roster, since, flow_run_id=str(flow_run.id) if flow_run.id else None,
                            collect_only=collect_only, call=as_source_task, task_runner=task_runner,
                            dask_address=dask_address)
    Store.of(db, settings.store.lock_timeout).publish_read_copy()
    return outcome
