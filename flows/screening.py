"""Screening steps as plain functions (the flows wrap them; the CLI can call them without Prefect)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import store
from connectors.openalex import observations_from_works
from highfence.errors import InputError
from highfence.records import Observation, Subject
from matching import exact
from store import evidence as evidence_store
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


def active_names(con) -> tuple[list[exact.NameRecord], dict[str, str]]:
    rows = con.execute(f"""
        SELECT e.list_id, e.entry_id, e.name, e.snapshot_id, n.name, n.name_kind
        FROM v_active_entries e
        JOIN list_entry_names n ON n.snapshot_id = e.snapshot_id AND n.entry_id = e.entry_id
        WHERE e.kind IN {SCREENED_KINDS} AND (e.removed_on IS NULL OR e.removed_on > current_date)
    """).fetchall()
    snapshots = dict(con.execute("SELECT list_id, snapshot_id FROM v_active_snapshots").fetchall())
    return [exact.NameRecord(*r) for r in rows], snapshots


def screen_stored(con, run_id: str) -> tuple[int, int, dict[str, str]]:
    """Screen every stored observation against the active lists; (new findings, seen again, snapshots)."""
    names, snapshots = active_names(con)
    index = exact.build_index(names)
    observations = [Observation(o["subject_id"], o["relation"], o["observed_name"], o["source"],
                                o["observed_ror"], o["evidence_id"], o["evidence_year"], o["source_url"],
                                o["body_sha256"]) for o in evidence_store.observations(con)]
    new, again = findings_store.upsert(con, exact.screen(observations, index), run_id)
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
