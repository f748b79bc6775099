"""The `screen` flow: collect open-source evidence for a roster and screen it against the active lists."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.runtime import flow_run

import store
from flows.screening import screen_roster
from highfence.settings import Settings


@task(name="collect-and-screen", retries=1, retry_delay_seconds=10)
def collect_and_screen(db: Path, settings: Settings, roster: Path, since: int | None, flow_run_id: str | None,
                       collect_only: bool) -> dict:
    return screen_roster(db, settings, roster, since, flow_run_id=flow_run_id, collect_only=collect_only)


@flow(name="screen", log_prints=False)
def screen_flow(db: Path, settings: Settings, roster: Path, since: int | None = None,
                collect_only: bool = False) -> dict:
    outcome = collect_and_screen(db, settings, roster, since, str(flow_run.id) if flow_run.id else None,
                                 collect_only)
    store.publish_read_copy(db, lock_timeout=settings["store.lock_timeout"])
    return outcome
