"""Partnerships, checklist instances and their answers (append-only: the latest answer to an item is current)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

from duckdb import DuckDBPyConnection

from highfence.records import ChecklistAnswer, ChecklistInstance


@dataclass(frozen=True)
class StoredPartnership:
    partnership_id: str
    title: str
    summary: str | None
    partners: list[dict]  # [{subject_id, name, ror_id}]; subject_id None for a partner not on the roster
    researchers: list[str]  # roster subject ids
    agreement_type: str
    areas: list[str]
    start_date: date | None
    end_date: date | None
    programme: str | None
    created_at: datetime


def save(con: DuckDBPyConnection, p: StoredPartnership) -> None:
    """Insert the partnership, replacing one of the same id."""
    con.execute("INSERT OR REPLACE INTO partnerships VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [p.partnership_id, p.title, p.summary, json.dumps(p.partners, ensure_ascii=False),
                 json.dumps(p.researchers), p.agreement_type, json.dumps(p.areas), p.start_date, p.end_date,
                 p.programme, p.created_at])


def get(con: DuckDBPyConnection, partnership_id: str) -> StoredPartnership | None:
    row = con.execute("""SELECT partnership_id, title, summary, partners, researchers, agreement_type, areas,
                                start_date, end_date, programme, created_at
                         FROM partnerships WHERE partnership_id = ?""", [partnership_id]).fetchone()
    if row is None:
        return None
    pid, title, summary, partners, researchers, agreement, areas, start, end, programme, created = row
    return StoredPartnership(pid, title, summary, json.loads(partners), json.loads(researchers), agreement,
                             json.loads(areas), start, end, programme, created)


def add_instance(con: DuckDBPyConnection, instance: ChecklistInstance) -> None:
    con.execute("INSERT INTO checklist_instances VALUES (?, ?, ?, ?, ?)",
                [instance.instance_id, instance.template_id, instance.partnership_id, instance.lang,
                 instance.created_at])


_INSTANCE = "SELECT instance_id, template_id, partnership_id, lang, created_at FROM checklist_instances"


def instance(con: DuckDBPyConnection, instance_id: str) -> ChecklistInstance | None:
    row = con.execute(f"{_INSTANCE} WHERE instance_id = ?", [instance_id]).fetchone()
    return ChecklistInstance(*row) if row else None


def latest_of_template(con: DuckDBPyConnection, template_id: str) -> ChecklistInstance | None:
    """The most recently started checklist of a template (the institution's readiness is its latest one)."""
    row = con.execute(f"{_INSTANCE} WHERE template_id = ? ORDER BY created_at DESC LIMIT 1", [template_id]).fetchone()
    return ChecklistInstance(*row) if row else None


def latest_for_partnership(con: DuckDBPyConnection, partnership_id: str) -> ChecklistInstance | None:
    row = con.execute(f"{_INSTANCE} WHERE partnership_id = ? ORDER BY created_at DESC LIMIT 1",
                      [partnership_id]).fetchone()
    return ChecklistInstance(*row) if row else None


def add_answers(con: DuckDBPyConnection, answers: Iterable[ChecklistAnswer]) -> None:
    """Append answers; earlier answers to the same items stay in the log."""
    for a in answers:
        con.execute("INSERT INTO checklist_answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [a.instance_id, a.item_id, a.value, a.note, a.source,
                     json.dumps(a.evidence, ensure_ascii=False, default=str), a.answered_by, a.answered_at])


def current_answers(con: DuckDBPyConnection, instance_id: str) -> list[ChecklistAnswer]:
    """The latest answer to each answered item."""
    rows = con.execute("""
        SELECT item_id, arg_max(value, answered_at), arg_max(note, answered_at), arg_max(source, answered_at),
               arg_max(evidence, answered_at)::VARCHAR, arg_max(answered_by, answered_at), max(answered_at)
        FROM checklist_answers WHERE instance_id = ? GROUP BY item_id""", [instance_id]).fetchall()
    return [ChecklistAnswer(instance_id, item_id, value, note, source, json.loads(evidence or "[]"), by, at)
            for item_id, value, note, source, evidence, by, at in rows]


@dataclass(frozen=True)
class PartnershipSummary:
    partnership_id: str
    title: str
    agreement_type: str
    partner_names: tuple[str, ...]
    researchers: tuple[str, ...]  # roster subject ids


def summaries(con) -> list[PartnershipSummary]:
    """Every partnership, by id."""
    rows = con.execute("""SELECT partnership_id, title, agreement_type, partners::VARCHAR, researchers::VARCHAR
                          FROM partnerships ORDER BY 1""").fetchall()
    return [PartnershipSummary(pid, title, agreement, tuple(p["name"] for p in json.loads(partners)),
                               tuple(json.loads(researchers)))
            for pid, title, agreement, partners, researchers in rows]
