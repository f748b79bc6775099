"""The demo: bundled list snapshots, a small roster and its bundled evidence, screened through a Prefect flow."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from prefect import flow, task
from prefect.runtime import flow_run

from highfence import store
from highfence.connectors.mirror import mirror_url, session_for
from highfence.flows.collect import make_sources
from highfence.flows.engine import step
from highfence.flows.lists import LoadResult, load_list
from highfence.flows.screen import screen_roster
from highfence.errors import InputError
from highfence.reports.cells import CsvWriter
from highfence.settings import load_settings
from highfence.store.findings_export import CHAIN_COLUMNS, evidence_chains
from highfence.packaged import data_dir

DATA_DIR = data_dir()


DEMO_SINCE = 2018  # the bundled works are 2021-2024


@dataclass
class DemoResult:
    db: str
    lists: list[LoadResult]
    screening: dict
    subjects: list[dict]
    findings_csv: str
    reconciliation: dict
    reports: list[str]
    assessments: dict
    checklist: dict


def bundled_lists(data_dir: Path) -> list[tuple[str, Path]]:
    manifest = data_dir / "lists" / "manifest.json"
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))["lists"]
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"unreadable list manifest ({exc})", file=str(manifest)) from None
    return [(e["list_id"], data_dir / "lists" / e["file"]) for e in entries]


@task(name="load-bundled-lists")
def load_lists_task(db: Path, data_dir: Path) -> list[LoadResult]:
    return [load_list(db, list_id, path) for list_id, path in bundled_lists(data_dir)]


@task(name="screen-roster")
def screen_task(db: Path, data_dir: Path, flow_run_id: str | None) -> dict:
    """The real collect-and-screen path, its API base URLs pointed at the bundled offline mirror."""
    mirror = data_dir / "demo" / "mirror"
    settings = load_settings(env={}, overrides={
        "store.db": str(db), **{f"sources.{api}.url": mirror_url(api) for api in ("openalex", "ror", "orcid",
                                                                                   "crossref")}})
    sources = make_sources(settings, db, session_factory=lambda: session_for(mirror))
    return screen_roster(db, settings, data_dir / "demo" / "roster.csv", since=DEMO_SINCE, sources=sources,
                         kind="demo", flow_run_id=flow_run_id)


def demo_restricted(db: Path, command: str):
    """The demo's own restricted key, in a 0600 file beside its store (its NDA item is fictional): the demo seals
    and logs the way a real store does, without touching the key configured for real data."""
    from highfence.restricted_key import RestrictedKey, read_key_file, write_key_file
    from highfence.store.restricted import Restricted

    path = Path(db).with_name(f"{Path(db).stem}.restricted.key")
    key = RestrictedKey(read_key_file(path), f"file {path}") if path.exists() else write_key_file(path)
    return Restricted(Path(db), key, command)


@task(name="reconcile-disclosures")
def reconcile_task(db: Path, data_dir: Path, flow_run_id: str | None) -> dict:
    from highfence.flows.reconcile import load_disclosures, reconcile_store

    restricted = demo_restricted(db, "demo")  # made here, never a task parameter
    load_disclosures(db, data_dir / "demo" / "disclosures.json", restricted)
    return reconcile_store(db, flow_run_id=flow_run_id, restricted=restricted)


@task(name="assess")
def assess_task(db: Path) -> dict:
    """The roster under each shipped rule pack, as of today."""
    import datetime as dt

    from highfence.flows.assess import assess
    from highfence.risk.packs import available

    out: dict[str, dict[str, str]] = {}
    for pack in available().values():
        for a in assess(db, pack, dt.date.today()):
            out.setdefault(a.subject_id, {})[pack.id] = a.outcome
    return out


@task(name="partnership-checklist")
def checklist_task(db: Path) -> dict:
    """One partnership (HIT with two of the researchers) and its checklist, pre-filled from the evidence."""
    from highfence.checklists.templates import template
    from highfence.flows.partnerships import Partnership, add_partnership, start_checklist
    from highfence.store import partnerships as partnership_store

    add_partnership(db, Partnership("PS-DEMO", "Thermal fatigue and attitude control (demo)", ["P-HIT"],
                                    ["R-0001", "R-0002"], "joint_research"))
    with store.reader(db) as con:  # a second demo run reuses the checklist instead of starting another
        existing = partnership_store.latest_for_partnership(con, "PS-DEMO")
        if existing:
            instance = existing.instance_id
            prefilled = sum(a.source == "prefilled" for a in partnership_store.current_answers(con, instance))
    if not existing:
        instance, prefilled = start_checklist(db, "PS-DEMO", "ja")
    return {"partnership": "PS-DEMO", "instance": instance, "prefilled": prefilled,
            "items": len(template("partnership")["items"])}


@task(name="write-reports")
def write_reports(db: Path, out_dir: Path) -> list[str]:
    """A roster report and one partner report, in English and Japanese (published as Prefect artifacts too)."""
    from highfence.reports.build import build
    from highfence.reports.render import write

    written = []
    with store.reader(db) as con:
        for lang in ("en", "ja"):
            written.append(str(write(build(con, "roster", None, lang), "html", out_dir / f"report-roster-{lang}.html")))
            written.append(str(write(build(con, "partner", "P-HIT", lang), "html",
                                     out_dir / f"report-partner-P-HIT-{lang}.html")))
    return written


def export_findings(db: Path, out: Path) -> Path:
    with store.reader(db) as con:
        rows = evidence_chains(con)
    with out.open("w", encoding="utf-8", newline="") as f:
        w = CsvWriter(f)
        w.writerow(CHAIN_COLUMNS)
        w.writerows(rows)
    return out


@flow(name="demo", log_prints=False)
def demo_flow(db: Path, out_dir: Path, data_dir: Path = DATA_DIR) -> dict:
    store.migrate(db)
    lists = step(load_lists_task, db, data_dir)
    run_id = str(flow_run.id) if flow_run.id else None
    outcome = step(screen_task, db, data_dir, run_id)
    reconciliation = step(reconcile_task, db, data_dir, run_id)
    from highfence.store.findings import summary_by_subject

    with store.reader(db) as con:
        subjects = summary_by_subject(con)
    findings_csv = export_findings(db, out_dir / "findings.csv")
    assessments = step(assess_task, db)
    checklist = step(checklist_task, db)
    reports = step(write_reports, db, out_dir)
    store.publish_read_copy(db)
    return asdict(DemoResult(str(db), lists, outcome, subjects, str(findings_csv), reconciliation, reports, assessments, checklist))
