"""Partnerships and checklists in the store."""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from highfence import store
from highfence.checklists.prefill import PartnershipFacts, prefill
from highfence.checklists.templates import NEEDS_NOTE, item, template
from highfence.errors import InputError
from highfence.store.db import utcnow
from highfence.store.organisations import get as get_org

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


def _partner(con, text: str) -> dict:
    """A partner given as a roster subject id, a ROR id, or a name."""
    text = text.strip()
    row = con.execute("SELECT subject_id, name, ror_id FROM subjects WHERE subject_id = ? OR ror_id = ? OR name = ?",
                      [text, text if text.startswith("https://") else f"https://ror.org/{text}", text]).fetchall()
    if row:
        return {"subject_id": row[0][0], "name": row[0][1], "ror_id": row[0][2]}
    return {"subject_id": None, "name": text, "ror_id": text if "ror.org" in text else None}


def add_partnership(db: Path, p: Partnership) -> str:
    if p.agreement_type not in AGREEMENTS:
        raise InputError(f"agreement type must be one of {', '.join(AGREEMENTS)}, got {p.agreement_type!r}")
    if not p.partners:
        raise InputError("a partnership needs at least one partner")
    store.migrate(db)
    with store.connect(db) as con, store.transaction(con):
        known = {r[0] for r in con.execute("SELECT subject_id FROM subjects WHERE kind = 'researcher'").fetchall()}
        unknown = [r for r in p.researchers if r not in known]
        if unknown:
            raise InputError(f"researcher(s) not in the roster: {', '.join(unknown)}")
        partners = [_partner(con, x) if isinstance(x, str) else x for x in p.partners]
        con.execute("INSERT OR REPLACE INTO partnerships VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [p.partnership_id, p.title, p.summary, json.dumps(partners, ensure_ascii=False),
                     json.dumps(p.researchers), p.agreement_type, json.dumps(p.areas or []),
                     date.fromisoformat(p.start_date) if p.start_date else None,
                     date.fromisoformat(p.end_date) if p.end_date else None, p.programme, utcnow()])
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


def get_partnership(con, partnership_id: str) -> dict:
    cur = con.execute("SELECT * FROM partnerships WHERE partnership_id = ?", [partnership_id])
    rows = cur.fetchall()
    if not rows:
        raise InputError(f"no partnership {partnership_id!r} (highfence partnerships list)")
    p = dict(zip([d[0] for d in cur.description], rows[0]))
    for k in ("partners", "researchers", "areas"):
        p[k] = json.loads(p[k])
    return p


def facts_for(con, p: dict) -> PartnershipFacts:
    partners = []
    for partner in p["partners"]:
        findings = []
        if partner.get("subject_id"):
            findings = [dict(zip(("finding_id", "list_id", "entry_name"), r)) for r in con.execute(
                """SELECT f.finding_id, f.list_id, f.entry_name FROM findings f JOIN v_finding_status s
                   USING (finding_id) WHERE f.subject_id = ? AND f.decision = 'match'
                   AND s.status IN ('open', 'confirmed', 'escalated')""", [partner["subject_id"]]).fetchall()]
        partners.append({**partner, "ror_record": get_org(con, partner["ror_id"]) if partner.get("ror_id") else None,
                         "findings": findings})
    researchers = []
    for sid in p["researchers"]:
        disclosed = bool(con.execute("SELECT count(*) FROM disclosures WHERE researcher_id = ?", [sid]).fetchall()[0][0])
        undisclosed = [dict(zip(("relation", "observed_name", "finding_id"), r)) for r in con.execute(
            """SELECT relation, observed_name, finding_id FROM disclosure_findings WHERE subject_id = ?
               AND relation IN ('undisclosed_affiliation', 'undisclosed_funding') AND NOT restricted""",
            [sid]).fetchall()]
        listed = [dict(zip(("list_id", "entry_name", "year", "finding_id"), r)) for r in con.execute(
            """SELECT DISTINCT f.list_id, f.entry_name, o.evidence_year, f.finding_id FROM findings f
               JOIN observations o USING (observation_id) JOIN v_finding_status s USING (finding_id)
               WHERE f.subject_id = ? AND f.relation IN ('affiliation', 'employment') AND f.decision = 'match'
               AND s.status IN ('open', 'confirmed', 'escalated')""", [sid]).fetchall()]
        researchers.append({"subject_id": sid, "disclosed": disclosed, "undisclosed": undisclosed,
                            "listed_affiliations": listed})
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
        con.execute("INSERT INTO checklist_instances VALUES (?, ?, ?, ?, ?)", [iid, template_id, partnership_id, lang, now])
        for item_id, a in answers.items():
            con.execute("INSERT INTO checklist_answers VALUES (?, ?, ?, ?, 'prefilled', ?, 'highfence', ?)",
                        [iid, item_id, a.value, a.note, json.dumps(a.evidence, ensure_ascii=False, default=str), now])
    return iid, len(answers)


def answer(db: Path, instance_id: str, item_id: str, value: str, note: str | None, by: str) -> None:
    with store.connect(db) as con, store.transaction(con):
        rows = con.execute("SELECT template_id FROM checklist_instances WHERE instance_id = ?", [instance_id]).fetchall()
        if not rows:
            raise InputError(f"no checklist {instance_id!r}")
        tmpl = template(rows[0][0])
        item(rows[0][0], item_id)
        if value not in tmpl["values"]:
            raise InputError(f"answer must be one of {', '.join(tmpl['values'])}, got {value!r}")
        if value in NEEDS_NOTE and not (note or "").strip():
            raise InputError(f"'{value}' needs a mitigation note (--note): what will be done about it")
        con.execute("INSERT INTO checklist_answers VALUES (?, ?, ?, ?, 'analyst', '[]', ?, ?)",
                    [instance_id, item_id, value, note, by, utcnow()])


def show(con, instance_id: str) -> dict:
    rows = con.execute("SELECT template_id, partnership_id, lang FROM checklist_instances WHERE instance_id = ?",
                       [instance_id]).fetchall()
    if not rows:
        raise InputError(f"no checklist {instance_id!r}")
    template_id, partnership_id, lang = rows[0]
    current = {r[0]: r[1:] for r in con.execute("""
        SELECT item_id, arg_max(value, answered_at), arg_max(note, answered_at), arg_max(source, answered_at),
               arg_max(evidence, answered_at)::VARCHAR, arg_max(answered_by, answered_at)
        FROM checklist_answers WHERE instance_id = ? GROUP BY item_id""", [instance_id]).fetchall()}
    items = []
    for i in template(template_id)["items"]:
        value, note, source, evidence, by = current.get(i["id"], (None, None, None, "[]", None))
        items.append({"item_id": i["id"], "section": i["section"], "text": i[lang], "answer": value, "note": note,
                      "source": source, "evidence": json.loads(evidence or "[]"), "answered_by": by})
    return {"instance_id": instance_id, "template": template_id, "partnership_id": partnership_id, "lang": lang,
            "items": items}


def readiness(con) -> dict:
    """The institution checklist's latest answers, as shares: implemented, planned, not implemented."""
    rows = con.execute("""SELECT instance_id FROM checklist_instances WHERE template_id = 'institution'
                          ORDER BY created_at DESC LIMIT 1""").fetchall()
    if not rows:
        raise InputError("no institution checklist yet (highfence checklist start --institution)")
    data = show(con, rows[0][0])
    counted = [i for i in data["items"] if i["answer"] and i["answer"] != "n/a"]
    total = len([i for i in data["items"] if i["answer"] != "n/a"])
    shares = {k: (sum(1 for i in counted if i["answer"] == k) / total if total else 0.0)
              for k in ("implemented", "planned", "not_implemented")}
    return {"instance_id": data["instance_id"], "items": total, "answered": len(counted), **shares}
