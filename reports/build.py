"""The report model: everything a report says, with its sources, built from the store. Every format renders
this one model, so they never disagree. Its JSON form is the stable machine interface (schema below)."""

from __future__ import annotations

import tomllib
from dataclasses import asdict
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from duckdb import DuckDBPyConnection

from highfence import __version__
from highfence.checklists.view import view
from highfence.errors import InputError
from highfence.reports.links import ror_href, safe_href
from highfence.store import assessment as assessment_store
from highfence.store import decision_chain
from highfence.store import disclosures as disclosure_store
from highfence.store import evidence, integrity, lists, review
from highfence.watchlists.registry import licence_of
from highfence.store import partnerships as partnership_store
from highfence.store import reports as report_store
from highfence.store import runs as run_store

if TYPE_CHECKING:
    from highfence.store.restricted import Restricted

SCHEMA = "highfence.report/1"
I18N = resources.files("highfence.reports") / "i18n"
LANGS = ("en", "ja")


@lru_cache(maxsize=4)
def labels(lang: str) -> dict:
    if lang not in LANGS:
        raise InputError(f"language must be one of {', '.join(LANGS)}, got {lang!r}")
    return tomllib.loads((I18N / f"{lang}.toml").read_text(encoding="utf-8"))


def _plain(record: Any) -> dict:
    """A store record as the model has it: dates and times as ISO strings."""
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in asdict(record).items()}


def who(decision: dict) -> str:
    """Who decided, as reports show it: the display name, if one was configured, with the user it accompanies."""
    name = decision.get("decided_by_name")
    return f"{name} ({decision['decided_by']})" if name else decision["decided_by"]


def _links(row: dict) -> dict:
    """The finding's links: only web addresses, a ROR link only for a well-formed ROR id (see reports.links)."""
    ev = row.get("evidence_id") or ""
    links = {"doi": safe_href("https://doi.org/" + ev.split(" ")[0]) if ev.startswith("10.") else None,
             "ror": ror_href(row.get("observed_ror")),
             "source": safe_href(row.get("evidence_url")),
             "list": safe_href(row.get("list_source_url"))}
    return {k: v for k, v in links.items() if v}


def _integrity(con: DuckDBPyConnection, subject_ids: list[str]) -> list[dict]:
    """Retractions and expressions of concern on the subjects' works: shown for the analyst to read, scored by no
    pack unless the pack names them."""
    out = []
    for n in integrity.notices(con, subject_ids):
        row = _plain(n)
        row["notice_date"] = n.notice_date.isoformat() if n.notice_date else None
        row["links"] = {k: v for k, v in {
            "work": safe_href("https://doi.org/" + n.work_doi),
            "notice": safe_href("https://doi.org/" + n.notice_doi) if n.notice_doi else None,
            "source": safe_href(n.source_url)}.items() if v}
        row.pop("body_sha256", None)
        out.append(row)
    return out


def resolve_subject(con: DuckDBPyConnection, ident: str, kind: str | None = None) -> dict:
    """A subject by id, or a partner by ROR id."""
    found = evidence.subject(con, ident)
    if found is None and ("ror.org" in ident or len(ident) == 9):
        key = ident.rstrip("/").rsplit("/", 1)[-1]
        found = evidence.subject_by_ror(con, f"https://ror.org/{key}")
    if found is None:
        raise InputError(f"no subject {ident!r} in the store (screen a roster that names it first)")
    subject = _plain(found)
    if kind and subject["kind"] != kind:
        raise InputError(f"{ident} is a {subject['kind']}, not a {kind}")
    return subject


def _scope(con: DuckDBPyConnection, subject_ids: list[str]) -> dict:
    runs = run_store.recent(con, 5)
    window = None
    for r in runs:
        if window is None and r.inputs.get("window"):
            window = {"from": r.inputs["window"][0], "to": r.inputs["window"][1]}
        if window is None and r.inputs.get("since"):
            window = {"from": r.inputs["since"], "to": datetime.now().year}
    # each list with the terms it is published under: a report that used a CC BY-NC list says so
    return {"lists": [{**_plain(s), "licence": licence_of(s.list_id)} for s in lists.active_snapshots(con)],
            "sources": evidence.sources_for(con, subject_ids), "window": window,
            "runs": [{k: v for k, v in _plain(r).items() if k != "inputs"} for r in runs]}


def _findings(con: DuckDBPyConnection, subject_ids: list[str]) -> list[dict]:
    rows = [_plain(f) for f in report_store.findings(con, subject_ids)]
    for r in rows:
        r["links"] = _links(r)
    return rows


def _reconciliation(con: DuckDBPyConnection, subject_ids: list[str], restricted: Restricted | None) -> dict:
    return {"disclosed": sorted(disclosure_store.disclosed(con, subject_ids)),
            "findings": [_plain(f) for f in disclosure_store.reconciliation_findings(con, subject_ids, restricted)]}


def _timeline(con: DuckDBPyConnection, subject_id: str, reconciliation: dict) -> dict:
    rows: dict[str, dict] = {}
    for o in report_store.observed_affiliations(con, subject_id):
        r = rows.setdefault(o.observed_name, {"organisation": o.observed_name, "listed": False,
                                              "disclosed": [], "observed": []})
        r["listed"] |= bool(o.listed)
        r["observed"].append(o.evidence_year)
    current = disclosure_store.current(con, [subject_id]).get(subject_id)
    if current:
        this_year = datetime.now().year
        for a in current[1].affiliations:
            start = int(str(a.get("start") or this_year)[:4])
            end = int(str(a.get("end") or this_year)[:4])
            org = a.get("organization")
            r = rows.setdefault(org, {"organisation": org, "listed": False, "disclosed": [], "observed": []})
            r["disclosed"].append([start, end])
    years = sorted({y for r in rows.values() for y in r["observed"]} |
                   {y for r in rows.values() for s, e in r["disclosed"] for y in (s, e)})
    for r in rows.values():
        r["observed"] = sorted(set(r["observed"]))
    return {"years": [years[0], years[-1]] if years else [], "rows": sorted(rows.values(),
                                                                          key=lambda r: r["organisation"])}


def _coverage(assessments: list[dict]) -> dict:
    """The lists the report's assessments checked and those they could not, each list once: checked lists with
    their snapshot, not-checked ones with the packs that needed them."""
    checked: dict[str, dict] = {}
    missing: dict[str, dict] = {}
    unrecorded = sorted({a["pack"] for a in assessments if a.get("coverage") is None})
    for a in assessments:
        cov = a.get("coverage") or {}
        for c in cov.get("checked", []):
            checked.setdefault(c["list_id"], c)
        for n in cov.get("not_checked", []):
            row = missing.setdefault(n["list_id"], {**n, "needed_by": [], "max_age_days": cov["max_age_days"]})
            if n["required"] and a["pack"] not in row["needed_by"]:
                row["needed_by"].append(a["pack"])
    return {"lists_checked": [checked[k] for k in sorted(checked)],
            "lists_not_checked": [missing[k] for k in sorted(missing, key=lambda k: (not missing[k]["needed_by"], k))],
            "not_recorded": unrecorded}


def not_checked_rows(model: dict, lang: str) -> list[list[str]]:
    """What the report could not check: lists missing or stale (naming the rule packs that needed them), then every
    source that failed, as [subject, source, reason] in the report's language."""
    t = labels(lang)
    rows = []
    for n in model["coverage"]["lists_not_checked"]:
        why = (t["list_missing"] if n["state"] == "missing"
               else t["list_stale"].format(age=n["age_days"], max=n["max_age_days"]))
        if n["needed_by"]:
            why += t["needed_by_note"].format(packs=", ".join(n["needed_by"]))
        rows.append([t["all_subjects"], f"{n['official'][lang]['name']} [{n['list_id']}]", why])
    for pack in model["coverage"]["not_recorded"]:
        rows.append([t["all_subjects"], pack, t["coverage_not_recorded"]])
    rows += [[n["subject_id"], n["source"], n["error"]] for n in model["not_checked"]]
    return rows


def outcome_label(outcome: str, lang: str) -> str:
    return labels(lang).get("outcomes", {}).get(outcome, outcome)


def build(con: DuckDBPyConnection, kind: str, ident: str | None = None, lang: str = "en",
          restricted: Restricted | None = None) -> dict:
    """The model of one report. NDA-derived findings and assessments come in only with ``restricted`` access (the
    key, for a report asked to include them); without it the report says they were left out."""
    labels(lang)
    model = {"schema": SCHEMA, "kind": kind, "lang": lang, "highfence_version": __version__,
             "generated_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
             "restricted_included": restricted is not None}
    if kind == "roster":
        subjects = report_store.subject_summaries(con)
        ids = [s.subject_id for s in subjects]
        model["subjects"] = [_plain(s) for s in subjects]
    elif kind == "partnership":
        pid = ident or ""
        p = partnership_store.get(con, pid)
        if p is None:
            raise InputError(f"no partnership {pid!r} (highfence partnerships list)")
        ids = [x["subject_id"] for x in p.partners if x.get("subject_id")] + p.researchers
        model["partnership"] = _plain(p)
        model["subjects"] = [_plain(s) for s in report_store.subject_summaries(con, ids)]
        latest = partnership_store.latest_for_partnership(con, p.partnership_id)
        model["checklist"] = (view(latest, partnership_store.current_answers(con, latest.instance_id))
                              if latest else None)
    else:
        subject = resolve_subject(con, ident or "", "institution" if kind == "partner" else "researcher")
        ids = [subject["subject_id"]]
        links = {"orcid": safe_href(f"https://orcid.org/{subject['orcid']}") if subject.get("orcid") else None,
                 "ror": ror_href(subject.get("ror_id")),
                 "openalex": safe_href(f"https://openalex.org/{subject['openalex_id']}")
                 if subject.get("openalex_id") else None}
        model["subject"] = {**subject, "links": {k: v for k, v in links.items() if v}}
    model["scope"] = _scope(con, ids)
    model["findings"] = _findings(con, ids)
    model["integrity"] = _integrity(con, ids)
    model["reconciliation"] = _reconciliation(con, ids, restricted)
    chain = decision_chain.require_intact(con)
    # the log's head, so that whoever files the report can later check the log was not rewritten (db verify)
    model["decision_chain"] = {"decisions": chain.decisions, "head": chain.head}
    model["decisions"] = [_plain(d) for d in review.decisions_for(con, ids)]
    model["not_checked"] = [_plain(n) for n in report_store.not_checked(con, ids)]
    model["assessments"] = [_plain(a) for a in assessment_store.latest(con, ids, restricted)]
    model["coverage"] = _coverage(model["assessments"])
    if kind == "researcher":
        model["timeline"] = _timeline(con, ids[0], model["reconciliation"])
    if kind == "partner":
        model["copublication"] = [_plain(c) for c in report_store.copublication(con, ids[0])]
    return model
