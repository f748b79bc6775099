"""Scale-out: matching partitioned into chunks run as Prefect tasks on a thread pool, a process pool or a Dask
cluster (local, or an existing one at an address). Each worker builds the matcher once and keeps it."""

from __future__ import annotations

import uuid

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from highfence.flows import worker
from highfence.flows.engine import prepare_prefect, with_server_retry
from highfence.flows.worker import Opaque
from highfence.matching import Matcher


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


# Inputs are large: never hash them for a cache key, never persist results.
@task(name="matcher-recipe", cache_policy=NO_CACHE, persist_result=False)
def recipe_task(recipe: Opaque) -> Opaque:
    """The matcher's inputs once, as a task result: workers fetch it once instead of each chunk carrying a copy."""
    return recipe


@task(name="match-chunk", retries=1, cache_policy=NO_CACHE, persist_result=False)
def match_chunk(recipe: Opaque, rows: Opaque) -> Opaque:
    return worker.match_chunk_rows(recipe, rows)


@task(name="screen-chunk", retries=1, cache_policy=NO_CACHE, persist_result=False)
def screen_chunk(recipe: Opaque, only: Opaque, keys: Opaque) -> Opaque:
    return worker.screen_chunk_keys(recipe, only, keys)


def chunk_size(n: int, workers: int, smallest: int = 1_000, largest: int = 20_000) -> int:
    """About four chunks per worker, so that a slow one does not hold up the end, of ``smallest`` to ``largest``
    items (for matching 1,000 to 20,000: each task costs about 0.1 s of orchestration)."""
    return min(largest, max(smallest, -(-n // (4 * max(workers, 1)))))


@flow(name="partitioned")
def partitioned_flow(token: str) -> Opaque:
    # The body and its data are looked up, not closed over: Prefect serialises the running flow, closure and all,
    # into the context of every task it submits, which sent the whole input along with each chunk.
    return worker.FLOW_BODIES[token]()


def run_partitioned(name: str, kind: str, dask_address: str | None, workers: int, body) -> Opaque:
    """``body()`` (which submits tasks) as the flow ``name`` on the chosen task runner."""
    token = uuid.uuid4().hex
    worker.FLOW_BODIES[token] = body
    prepare_prefect()
    run = partitioned_flow.with_options(name=name, task_runner=task_runner(kind, dask_address, workers))
    try:
        return with_server_retry(lambda: run(token))
    finally:
        worker.FLOW_BODIES.pop(token, None)


def _chunked(name: str, chunk_task, matcher: Matcher, items: list, extra: tuple, kind: str,
             dask_address: str | None, workers: int, chunk: int | None) -> list:
    chunk = chunk or chunk_size(len(items), workers)

    def body() -> Opaque:
        recipe = recipe_task.submit(worker.matcher_recipe(matcher))
        futures = [chunk_task.submit(recipe, *extra, Opaque(items[i:i + chunk])) for i in range(0, len(items), chunk)]
        return Opaque([r for f in futures for r in f.result().items])

    return run_partitioned(name, kind, dask_address, workers, body).items


def match_partitioned(matcher: Matcher, rows: list[tuple], kind: str, dask_address: str | None = None,
                      workers: int = 2, chunk: int | None = None) -> list[tuple]:
    """(id, text, country) rows through the matcher on the chosen task runner: output rows in input order."""
    return _chunked("match-partitioned", match_chunk, matcher, rows, (), kind, dask_address, workers, chunk)


def screen_partitioned(matcher: Matcher, keys: list[tuple], only: set[int] | None, kind: str,
                       dask_address: str | None = None, workers: int = 2, chunk: int | None = None) -> list[list]:
    """``matching.screening.best_matches`` over (observed name, observed ROR) keys on the chosen task runner."""
    return _chunked("screen-partitioned", screen_chunk, matcher, keys, (Opaque(only),), kind, dask_address,
                        workers, chunk)


def ensure_rate_limits(rates: dict[str, float]) -> None:
    """Create (or update) the Prefect global rate limits the clients share: 'highfence-<source>', never more than
    N requests in any one second across all workers. A Prefect rate limit is a bucket of ``limit`` slots that free
    at ``slot_decay_per_second``, so a second can see a full bucket plus a second's decay: the two add up to N."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, GlobalConcurrencyLimitUpdate

    with get_client(sync_client=True) as client:
        for source, per_second in rates.items():
            name = f"highfence-{source}"
            burst = max(1, round(per_second / 4))
            decay = max(per_second - burst, 0.5)
            try:
                client.read_global_concurrency_limit_by_name(name)
                client.update_global_concurrency_limit(name, GlobalConcurrencyLimitUpdate(
                    limit=burst, slot_decay_per_second=decay))
            except Exception:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(
                    name=name, limit=burst, slot_decay_per_second=decay))


@task(name="collect-batch", retries=1, cache_policy=NO_CACHE, persist_result=False)
def collect_batch_task(settings_env: dict, db: str, batch: Opaque, since, roster_source: str) -> Opaque:
    from highfence.flows.collect import collect_subject, make_sources
    from highfence.settings import load_settings

    import os

    from highfence.settings import SECRET_ENV

    # secrets are no task parameter (Prefect records those): this worker's own environment supplies them
    env = {**settings_env, **{k: os.environ[k] for k in SECRET_ENV if k in os.environ}}
    sources = make_sources(load_settings(env=env), db, global_limits=True)
    return Opaque([collect_subject(sources, subject, pin, since, roster_source) for subject, pin in batch.items])


def collect_partitioned(settings_env: dict, db: str, subjects: list, pins: dict, since, roster_source: str,
                        kind: str, dask_address: str | None = None, workers: int = 2) -> list:
    """Subjects collected in parallel on the task runner, in input order; the API rate limits hold across all
    workers. Subjects go in batches (a task per subject spent more on orchestration than on the APIs' pace)."""
    from highfence.flows.collect import source_rates
    from highfence.settings import load_settings

    rates = {name: r.rate for name, r in source_rates(load_settings(env=settings_env)).items()}
    size = chunk_size(len(subjects), workers, smallest=1, largest=25)
    pairs = [(s, pins.get(s.subject_id)) for s in subjects]

    def body() -> Opaque:
        ensure_rate_limits(rates)
        futures = [collect_batch_task.submit(settings_env, db, Opaque(pairs[i:i + size]), since, roster_source)
                   for i in range(0, len(pairs), size)]
        return Opaque([ev for f in futures for ev in f.result().items])

    return run_partitioned("collect-partitioned", kind, dask_address, workers, body).items
