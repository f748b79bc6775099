"""The `screen` flow: collect open-source evidence for a roster and screen it against the active lists.

Each source's work for each subject runs as a Prefect task named after the source, with retries and the tag
``highfence:<source>``: a concurrency limit on that tag (``prefect concurrency-limit create highfence:openalex 4``)
holds across every worker."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.runtime import flow_run

from highfence import store
from highfence.flows.screening import screen_roster
from highfence.settings import Settings


@task(retries=2, retry_delay_seconds=10)
def source_task(source: str, fn):
    return fn()


def prefect_call(source: str, fn):
    return source_task.with_options(name=source, tags=[f"highfence:{source}"])(source, fn)


@flow(name="screen", log_prints=False)
def screen_flow(db: Path, settings: Settings, roster: Path, since: int | None = None,
                collect_only: bool = False, task_runner: str | None = None, dask_address: str | None = None) -> dict:
    outcome = screen_roster(db, settings, roster, since, flow_run_id=str(flow_run.id) if flow_run.id else None,
                            collect_only=collect_only, call=prefect_call, task_runner=task_runner,
                            dask_address=dask_address)
    store.publish_read_copy(db, lock_timeout=settings["store.lock_timeout"])
    return outcome
