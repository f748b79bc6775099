"""Scale-out: matching partitioned into chunks run as Prefect tasks on a thread pool, a process pool or a Dask
cluster (local, or an existing one at an address). Each worker builds the matcher once and keeps it."""

from __future__ import annotations

import hashlib
import json
import os

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from matching import ListedEntry, Matcher, Thresholds

_MATCHERS: dict[str, Matcher] = {}


def task_runner(kind: str, dask_address: str | None = None, workers: int = 2):
    if kind == "thread":
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=workers)
    if kind == "process":
        from prefect.task_runners import ProcessPoolTaskRunner

        return ProcessPoolTaskRunner(max_workers=workers)
    if kind == "dask":
        import logging

        from prefect_dask import DaskTaskRunner

        for name in ("distributed", "distributed.core", "distributed.scheduler", "distributed.nanny"):
            logging.getLogger(name).setLevel(logging.WARNING)
        if dask_address:
            return DaskTaskRunner(address=dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True,
                                              "dashboard_address": None})
    raise ValueError(f"task runner must be thread, process or dask, got {kind!r}")


def _key(entries: list[tuple], thresholds: tuple) -> str:
    return hashlib.sha256(json.dumps([entries, thresholds], default=str).encode()).hexdigest()


def _matcher(entries: list[tuple], thresholds: tuple) -> Matcher:
    key = _key(entries, thresholds)
    if key not in _MATCHERS:  # once per worker process
        _MATCHERS.clear()
        _MATCHERS[key] = Matcher([ListedEntry(*e) for e in entries], Thresholds(*thresholds))
    return _MATCHERS[key]


# Inputs are large (entries, chunks of strings): never hash them for a cache key, never persist results.
@task(name="list-entries", cache_policy=NO_CACHE, persist_result=False)
def entries_task(payload: list[tuple]) -> list[tuple]:
    """The entries once, as a task result: workers fetch it once instead of each chunk carrying a copy."""
    return payload


@task(name="match-chunk", retries=1, cache_policy=NO_CACHE, persist_result=False)
def match_chunk(entries: list[tuple], thresholds: tuple, rows: list[tuple]) -> list[tuple]:
    m = _matcher(entries, thresholds)
    return [(rid, x.list_id, x.entry_id, x.matched_name, x.score, x.decision, x.explanation)
            for rid, text, country in rows for x in m.match(text, country)]


def match_partitioned(entries: list[ListedEntry], rows: list[tuple], thresholds: Thresholds, kind: str,
                      dask_address: str | None = None, workers: int = 2, chunk: int = 5000) -> list[tuple]:
    """Output rows in input order, the input split into chunks run on the chosen task runner."""
    payload = [(e.list_id, e.entry_id, e.name, tuple(e.aliases), tuple(e.countries), e.kind, e.snapshot_id)
               for e in entries]
    limits = (thresholds.match, thresholds.review)

    @flow(name="match-partitioned", task_runner=task_runner(kind, dask_address, workers))
    def run() -> list[tuple]:
        shared = entries_task.submit(payload)
        futures = [match_chunk.submit(shared, limits, rows[i:i + chunk]) for i in range(0, len(rows), chunk)]
        return [r for f in futures for r in f.result()]

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    return run()


def ensure_rate_limits(rates: dict[str, float]) -> None:
    """Create (or update) the Prefect global rate limits the clients share: 'highfence-<source>' at N requests/s."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, GlobalConcurrencyLimitUpdate

    with get_client(sync_client=True) as client:
        for source, per_second in rates.items():
            name = f"highfence-{source}"
            limit = max(1, int(per_second))
            try:
                client.read_global_concurrency_limit_by_name(name)
                client.update_global_concurrency_limit(name, GlobalConcurrencyLimitUpdate(
                    limit=limit, slot_decay_per_second=per_second))
            except Exception:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(
                    name=name, limit=limit, slot_decay_per_second=per_second))


@task(name="collect-subject", retries=1, cache_policy=NO_CACHE, persist_result=False)
def collect_subject_task(settings_env: dict, db: str, subject, pin, since, roster_source: str):
    from flows.collect import collect_subject, make_sources
    from highfence.settings import load_settings

    settings = load_settings(env=settings_env)
    return collect_subject(make_sources(settings, db, global_limits=True), subject, pin, since, roster_source)


def collect_partitioned(settings_env: dict, db: str, subjects: list, pins: dict, since, roster_source: str,
                        kind: str, dask_address: str | None = None, workers: int = 2) -> list:
    """Subjects collected in parallel on the task runner; the API rate limits hold across all workers."""
    from flows.collect import RATE

    @flow(name="collect-partitioned", task_runner=task_runner(kind, dask_address, workers))
    def run() -> list:
        ensure_rate_limits(RATE)
        futures = [collect_subject_task.submit(settings_env, db, s, pins.get(s.subject_id), since, roster_source)
                   for s in subjects]
        return [f.result() for f in futures]

    return run()
