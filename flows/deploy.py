"""Scheduled screening: flows with stable names, served as deployments with the configured schedules.

    refresh-lists   download every downloadable list; if any changed, a screen-delta follows
    screen-delta    re-screen stored evidence against added and changed entries only
    screen-full     collect for the configured roster (if any) and screen everything
    report-roster   the roster report (on demand)

Schedules need a Prefect server (`prefect server start`, or Prefect Cloud); they do not fire in ephemeral mode."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from highfence import store
from highfence.store import Store
from highfence.store import findings as findings_store
from highfence.store import runs
from highfence.settings import Settings, load_settings

FLOWS = ("refresh-lists", "screen-delta", "screen-full", "report-roster")


def _settings() -> Settings:
    return load_settings()


def changes_summary(db: Path, run_id: str) -> tuple[str, int]:
    """Markdown of the findings a run created or reopened, and how many."""
    from highfence.reports.markdown import md_text

    with store.connect(db, read_only=True) as con:
        rows = findings_store.new_or_reopened(con, run_id)
    lines = [f"# highfence run {md_text(run_id)}", "", f"{len(rows)} new or reopened finding(s).", ""]
    if rows:
        lines += ["| subject | relation | observed | list | entry | status |", "|---|---|---|---|---|---|"]
        # every value escaped: observed names and entry names come from sources and lists (see reports.markdown)
        lines += ["| " + " | ".join(md_text(v) for v in (
                      r.subject_id, r.relation, r.observed_name, r.list_id, r.entry_name,
                      r.status + (f" ({r.status_reason})" if r.status_reason else ""))) + " |" for r in rows]
    return "\n".join(lines), len(rows)


def publish_summary(db: Path, run_id: str, settings: Settings) -> int:
    from prefect.artifacts import create_markdown_artifact

    text, n = changes_summary(db, run_id)
    create_markdown_artifact(text, key="highfence-run-summary", description=f"new and reopened findings, {run_id}")
    with Store.of(db, settings.store.lock_timeout).writer() as con:
        runs.merge_outcome(con, run_id, {"new_or_reopened": n})
    if n and settings.notify.block:
        try:
            from prefect.blocks.core import Block

            Block.load(settings.notify.block).notify(body=text, subject=f"highfence: {n} new or reopened finding(s)")
        except Exception as exc:  # a notification must never fail the screening
            get_run_logger().warning(f"notification block {settings.notify.block!r} failed: {exc}")
    return n


@flow(name="screen-delta")
def screen_delta() -> dict:
    from highfence.flows.screen import rescreen

    settings = _settings()
    outcome = rescreen(settings.db_path, settings, delta=True, flow_run_id=str(flow_run.id))
    outcome["new_or_reopened"] = publish_summary(settings.db_path, outcome["run_id"], settings)
    return outcome


@flow(name="screen-full")
def screen_full() -> dict:
    from highfence.flows.screen import as_source_task, rescreen, screen_roster

    settings = _settings()
    roster = settings.screening.roster
    if roster:
        outcome = screen_roster(settings.db_path, settings, Path(roster), flow_run_id=str(flow_run.id),
                                call=as_source_task)
        Store.from_settings(settings).publish_read_copy()
    else:
        outcome = rescreen(settings.db_path, settings, flow_run_id=str(flow_run.id))
    outcome["new_or_reopened"] = publish_summary(settings.db_path, outcome["run_id"], settings)
    return outcome


@flow(name="refresh-lists")
def refresh_lists_flow() -> dict:
    from highfence.flows.refresh import refresh_lists

    settings = _settings()
    logger = get_run_logger()
    changed, failed = [], []
    for list_id, result in refresh_lists(settings):
        if isinstance(result, Exception):
            failed.append(list_id)
            logger.warning(str(result))
        elif result.outcome == "activated":
            changed.append(list_id)
    outcome = {"changed": changed, "failed": failed}
    if changed:
        outcome["delta"] = screen_delta()
    return outcome


@flow(name="report-roster")
def report_roster(lang: str = "ja", fmt: str = "html", out: str = "reports/roster") -> str:
    from highfence.reports.build import build
    from highfence.reports.render import write

    settings = _settings()
    with store.reader(settings.db_path) as con:
        model = build(con, "roster", None, lang)
    return str(write(model, fmt, Path(f"{out}-{lang}.{fmt}")))


def deployments(settings: Settings):
    from prefect.schedules import Cron

    tz = settings.schedule.timezone
    return [
        refresh_lists_flow.to_deployment("refresh-lists", schedule=Cron(settings.schedule.refresh_lists,
                                                                        timezone=tz)),
        screen_delta.to_deployment("screen-delta"),
        screen_full.to_deployment("screen-full", schedule=Cron(settings.schedule.screen_full, timezone=tz)),
        report_roster.to_deployment("report-roster"),
    ]


def serve(settings: Settings) -> None:
    from prefect import serve as prefect_serve

    prefect_serve(*deployments(settings), limit=1)  # one run at a time: the store has one writer
