"""Partnerships and checklists in the store."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from duckdb import DuckDBPyConnection

from highfence import store
from highfence.checklists.prefill import PartnershipFacts, prefill
from highfence.checklists.templates import NEEDS_NOTE, item, template
from highfence.checklists.view import view
from highfence.errors import InputError
from highfence.records import ChecklistAnswer, ChecklistInstance
from highfence.store import disclosures as disclosure_store
from highfence.store import evidence
from highfence.store import findings as finding_store
from highfence.store import partnerships as partnership_store
from highfence.store.db import utcnow
from highfence.store.organisations import get as get_org
from highfence.store.partnerships import StoredPartnership

AGREEMENTS = ("mou", "contract", "joint_research", "nda", "other")


@dataclass
class Partnership:
    partnership_id: str
    title: str
    partners: list[dict]
    researchers: list[str]
    agreement_type: str = "joint_research"
    summary: str | None = None
    areas: list[str] | None = None
    start_date: str | None = None
    end_date: str | None = None
    programme: str | None = None


def _partner(con: DuckDBPyConnection, text: str) -> dict:
    """A partner given as a roster subject id, a ROR id, or a name."""
    text = text.strip()
    found = evidence.find_subject(con, text, text if text.startswith("https://") else f"https://ror.org/{text}")
    if found:
        return {"subject_id": found.subject_id, "name": found.name, "ror_id": found.ror_id}
    return {"subject_id": None, "name": text, "ror_id": text if "ror.org" in text else None}


def add_partnership(db: Path, p: Partnership) -> str:
    if p.agreement_type not in AGREEMENTS:
        raise InputError(f"agreement type must be one of {', '.join(AGREEMENTS)}, got {p.agreement_type!r}")
    if not p.partners:
        raise InputError("a partnership needs at least one partner")
    store.migrate(db)
    with store.connect(db) as con, store.transaction(con):
        known = set(evidence.researcher_ids(con))
        unknown = [r for r in p.researchers if r not in known]
        if unknown:
            raise InputError(f"researcher(s) not in the roster: {', '.join(unknown)}")
        partners = [_partner(con, x) if isinstance(x, str) else x for x in p.partners]
        partnership_store.save(con, StoredPartnership(
            p.partnership_id, p.title, p.summary, partners, p.researchers, p.agreement_type, p.areas or [],
            date.fromisoformat(p.start_date) if p.start_date else None,
            date.fromisoformat(p.end_date) if p.end_date else None, p.programme, utcnow()))
    return p.partnership_id


def read_partnerships(path: Path) -> list[Partnership]:
    """CSV: partnership_id,title,partners,researchers,agreement_type,summary,areas,start_date,end_date,programme
    (lists separated by '|')."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            out = []
            for r in reader:
                for col in ("partnership_id", "title", "partners"):
                    if not (r.get(col) or "").strip():
                        raise InputError(f"empty {col}", file=str(path), row=reader.line_num, field=col)
                split = lambda v: [x.strip() for x in (v or "").split("|") if x.strip()]  # noqa: E731
                out.append(Partnership(r["partnership_id"].strip(), r["title"].strip(), split(r["partners"]),
                                       split(r.get("researchers")), (r.get("agreement_type") or "joint_research").strip(),
                                       r.get("summary") or None, split(r.get("areas")), r.get("start_date") or None,
                                       r.get("end_date") or None, r.get("programme") or None))
            return out
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None


def get_partnership(con: DuckDBPyConnection, partnership_id: str) -> dict:
    found = partnership_store.get(con, partnership_id)
    if found is None:
        raise InputError(f"no partnership {partnership_id!r} (highfence partnerships list)")
    return asdict(found)


def facts_for(con: DuckDBPyConnection, p: dict) -> PartnershipFacts:
    partners = []
    for partner in p["partners"]:
        findings = ([asdict(m) for m in finding_store.standing_matches(con, partner["subject_id"])]
                    if partner.get("subject_id") else [])
        partners.append({**partner, "ror_record": get_org(con, partner["ror_id"]) if partner.get("ror_id") else None,
                         "findings": findings})
    disclosed = disclosure_store.disclosed(con, p["researchers"])
    researchers = [{"subject_id": sid, "disclosed": sid in disclosed,
                    "undisclosed": [asdict(u) for u in disclosure_store.undisclosed(con, sid)],
                    "listed_affiliations": [asdict(a) for a in finding_store.listed_affiliations(con, sid)]}
                   for sid in p["researchers"]]
    return PartnershipFacts(partners, researchers)


def start_checklist(db: Path, partnership_id: str | None, lang: str = "ja", template_id: str | None = None) -> tuple[str, int]:
    """A checklist instance with every item the evidence answers pre-filled. (instance id, items pre-filled)."""
    template_id = template_id or ("partnership" if partnership_id else "institution")
    tmpl = template(template_id)
    store.migrate(db)
    now = utcnow()
    iid = hashlib.sha256(f"{template_id}|{partnership_id}|{now.isoformat()}".encode()).hexdigest()[:12]
    with store.connect(db) as con, store.transaction(con):
        answers = {}
        if partnership_id:
            answers = prefill(tmpl["items"], facts_for(con, get_partnership(con, partnership_id)))
        partnership_store.add_instance(con, ChecklistInstance(iid, template_id, partnership_id, lang, now))
        partnership_store.add_answers(con, [ChecklistAnswer(iid, item_id, a.value, a.note, "prefilled", a.evidence,
                                                            "highfence", now) for item_id, a in answers.items()])
    return iid, len(answers)


def answer(db: Path, instance_id: str, item_id: str, value: str, note: str | None, by: str) -> None:
    with store.connect(db) as con, store.transaction(con):
        found = partnership_store.instance(con, instance_id)
        if found is None:
            raise InputError(f"no checklist {instance_id!r}")
        tmpl = template(found.template_id)
        item(found.template_id, item_id)
        if value not in tmpl["values"]:
            raise InputError(f"answer must be one of {', '.join(tmpl['values'])}, got {value!r}")
        if value in NEEDS_NOTE and not (note or "").strip():
            raise InputError(f"'{value}' needs a mitigation note (--note): what will be done about it")
        partnership_store.add_answers(con, [ChecklistAnswer(instance_id, item_id, value, note, "analyst", [], by,
                                                            utcnow())])


def show(con: DuckDBPyConnection, instance_id: str) -> dict:
    found = partnership_store.instance(con, instance_id)
    if found is None:
        raise InputError(f"no checklist {instance_id!r}")
    return view(found, partnership_store.current_answers(con, instance_id))


def readiness(con: DuckDBPyConnection) -> dict:
    """The institution checklist's latest answers, as shares: implemented, planned, not implemented."""
    latest = partnership_store.latest_of_template(con, "institution")
    if latest is None:
        raise InputError("no institution checklist yet (highfence checklist start --institution)")
    data = view(latest, partnership_store.current_answers(con, latest.instance_id))
    counted = [i for i in data["items"] if i["answer"] and i["answer"] != "n/a"]
    total = len([i for i in data["items"] if i["answer"] != "n/a"])
    shares = {k: (sum(1 for i in counted if i["answer"] == k) / total if total else 0.0)
              for k in ("implemented", "planned", "not_implemented")}
    return {"instance_id": data["instance_id"], "items": total, "answered": len(counted), **shares}
