"""The report model: everything a report says, with its sources, built from the store. Every format renders
this one model, so they never disagree. Its JSON form is the stable machine interface (schema below)."""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from highfence import __version__
from highfence.errors import InputError

SCHEMA = "highfence.report/1"
I18N = resources.files("highfence.reports") / "i18n"
LANGS = ("en", "ja")


@lru_cache(maxsize=4)
def labels(lang: str) -> dict:
    if lang not in LANGS:
        raise InputError(f"language must be one of {', '.join(LANGS)}, got {lang!r}")
    return tomllib.loads((I18N / f"{lang}.toml").read_text(encoding="utf-8"))


def _rows(con, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [{c: (v.isoformat() if hasattr(v, "isoformat") else v) for c, v in zip(cols, r)} for r in cur.fetchall()]


def _links(row: dict) -> dict:
    links = {}
    ev = row.get("evidence_id") or ""
    if ev.startswith("10."):
        links["doi"] = "https://doi.org/" + ev.split(" ")[0]
    if row.get("observed_ror"):
        links["ror"] = row["observed_ror"]
    if row.get("evidence_url") and str(row["evidence_url"]).startswith("http"):
        links["source"] = row["evidence_url"]
    if row.get("list_source_url"):
        links["list"] = row["list_source_url"]
    return links


def resolve_subject(con, ident: str, kind: str | None = None) -> dict:
    """A subject by id, or a partner by ROR id."""
    rows = _rows(con, "SELECT * FROM subjects WHERE subject_id = ?", [ident])
    if not rows and ("ror.org" in ident or len(ident) == 9):
        key = ident.rstrip("/").rsplit("/", 1)[-1]
        rows = _rows(con, "SELECT * FROM subjects WHERE ror_id = ?", [f"https://ror.org/{key}"])
    if not rows:
        raise InputError(f"no subject {ident!r} in the store (screen a roster that names it first)")
    subject = rows[0]
    if kind and subject["kind"] != kind:
        raise InputError(f"{ident} is a {subject['kind']}, not a {kind}")
    return subject


def _scope(con, subject_ids: list[str]) -> dict:
    lists = _rows(con, """SELECT list_id, snapshot_id, published, retrieved_at, sha256, source_url, entries
                          FROM v_active_snapshots ORDER BY list_id""")
    runs = _rows(con, """SELECT run_id, kind, started_at, finished_at, status, inputs FROM screening_runs
                         ORDER BY started_at DESC LIMIT 5""")
    window = None
    for r in runs:
        inputs = json.loads(r.pop("inputs") or "{}")
        if window is None and inputs.get("window"):
            window = {"from": inputs["window"][0], "to": inputs["window"][1]}
        if window is None and inputs.get("since"):
            window = {"from": inputs["since"], "to": datetime.now().year}
    sources = [r["source"] for r in _rows(con, """SELECT DISTINCT source FROM observations
                                                  WHERE list_contains(?, subject_id) ORDER BY 1""", [subject_ids])]
    return {"lists": lists, "sources": sources, "window": window, "runs": runs}


def _findings(con, subject_ids: list[str]) -> list[dict]:
    rows = _rows(con, """
        SELECT f.finding_id, f.subject_id, f.relation, f.observed_name, f.observed_ror, f.evidence_id, f.evidence_year,
               f.evidence_url, f.evidence_source, f.list_id, f.entry_id, f.entry_name, f.score, f.decision,
               s.status, s.status_reason, f.explanation, f.snapshot_id, f.list_source_url, f.list_published
        FROM v_findings f JOIN v_finding_status s USING (finding_id)
        WHERE list_contains(?, f.subject_id) AND s.status <> 'superseded'
        ORDER BY f.subject_id, f.relation, f.list_id, f.evidence_year DESC NULLS LAST""", [subject_ids])
    for r in rows:
        r["links"] = _links(r)
    return rows


def _reconciliation(con, subject_ids: list[str], include_restricted: bool) -> dict:
    disclosed = {r["researcher_id"] for r in _rows(con, """SELECT DISTINCT researcher_id FROM disclosures
                                                          WHERE list_contains(?, researcher_id)""", [subject_ids])}
    rows = _rows(con, f"""SELECT subject_id, relation, observed_name, evidence_id, evidence_year, list_id, entry_name,
                                 confidence, explanation, evidence, restricted FROM disclosure_findings
                          WHERE list_contains(?, subject_id) {"" if include_restricted else "AND NOT restricted"}
                          ORDER BY subject_id, relation""", [subject_ids])
    for r in rows:
        r["evidence"] = json.loads(r["evidence"]) if isinstance(r["evidence"], str) else r["evidence"]
    return {"disclosed": sorted(disclosed), "findings": rows}


def _timeline(con, subject_id: str, reconciliation: dict, include_restricted: bool) -> dict:
    observed = _rows(con, """
        SELECT o.observed_name, o.evidence_year, bool_or(f.finding_id IS NOT NULL) AS listed
        FROM observations o LEFT JOIN findings f ON f.observation_id = o.observation_id AND f.decision = 'match'
        WHERE o.subject_id = ? AND o.relation IN ('affiliation', 'employment') AND o.evidence_year IS NOT NULL
              AND (o.observed_ror IS NOT NULL OR o.source = 'orcid')
        GROUP BY ALL""", [subject_id])
    rows: dict[str, dict] = {}
    for o in observed:
        r = rows.setdefault(o["observed_name"], {"organisation": o["observed_name"], "listed": False,
                                                 "disclosed": [], "observed": []})
        r["listed"] |= bool(o["listed"])
        r["observed"].append(o["evidence_year"])
    current = _rows(con, """SELECT arg_max(content, loaded_at)::VARCHAR AS content FROM disclosures
                            WHERE researcher_id = ?""", [subject_id])
    if current and current[0]["content"]:
        this_year = datetime.now().year
        for a in json.loads(current[0]["content"]).get("affiliations", []):
            start = int(str(a.get("start") or this_year)[:4])
            end = int(str(a.get("end") or this_year)[:4])
            r = rows.setdefault(a["organization"], {"organisation": a["organization"], "listed": False,
                                                    "disclosed": [], "observed": []})
            r["disclosed"].append([start, end])
    years = sorted({y for r in rows.values() for y in r["observed"]} |
                   {y for r in rows.values() for s, e in r["disclosed"] for y in (s, e)})
    for r in rows.values():
        r["observed"] = sorted(set(r["observed"]))
    return {"years": [years[0], years[-1]] if years else [], "rows": sorted(rows.values(),
                                                                          key=lambda r: r["organisation"])}


def _copublication(con, partner_id: str) -> list[dict]:
    """Works linking the roster's researchers to the listed entities this partner matched, by year."""
    return _rows(con, """
        SELECT f.list_id, f.entry_name, f.subject_id AS researcher, f.relation, f.evidence_year AS year,
               count(DISTINCT f.evidence_id) AS works
        FROM v_findings f
        WHERE f.subject_id <> ? AND f.relation IN ('coauthor_affiliation', 'affiliation')
          AND (f.list_id, f.entry_id) IN (SELECT (list_id, entry_id) FROM findings WHERE subject_id = ?)
        GROUP BY ALL ORDER BY f.entry_name, f.list_id, year DESC""", [partner_id, partner_id])


def _assessments(con, subject_ids: list[str]) -> list[dict]:
    """The latest assessment of each subject under each rule pack."""
    rows = _rows(con, """SELECT subject_id, pack_id AS pack, arg_max(pack_version, assessed_at) AS pack_version,
                                arg_max(as_of, assessed_at) AS as_of, arg_max(outcome, assessed_at) AS outcome,
                                arg_max(triggers, assessed_at)::VARCHAR AS triggers,
                                arg_max(mitigations, assessed_at)::VARCHAR AS mitigations
                         FROM assessments WHERE list_contains(?, subject_id) GROUP BY ALL
                         ORDER BY subject_id, pack""", [subject_ids])
    for r in rows:
        r["triggers"] = json.loads(r["triggers"])
        r["mitigations"] = json.loads(r["mitigations"])
    return rows


def _decisions(con, subject_ids: list[str]) -> list[dict]:
    return _rows(con, """SELECT d.decided_at, d.decided_by, d.case_key, d.previous_status, d.status, d.reason
                         FROM decisions d JOIN findings f USING (finding_id)
                         WHERE list_contains(?, f.subject_id) ORDER BY d.decided_at""", [subject_ids])


def _not_checked(con, subject_ids: list[str]) -> list[dict]:
    errors = _rows(con, """SELECT DISTINCT subject_id, source, error FROM collection_errors
                           WHERE list_contains(?, subject_id) AND run_id = (SELECT max(run_id) FROM collection_errors)
                           ORDER BY 1, 2""", [subject_ids])
    pins = _rows(con, """SELECT DISTINCT subject_id, 'openalex' AS source,
                                'name only: an OpenAlex author must be pinned before works are collected' AS error
                         FROM author_candidates WHERE list_contains(?, subject_id)
                         AND subject_id NOT IN (SELECT subject_id FROM roster_pins)""", [subject_ids])
    return errors + pins


def build(con, kind: str, ident: str | None = None, lang: str = "en", include_restricted: bool = False) -> dict:
    labels(lang)
    model = {"schema": SCHEMA, "kind": kind, "lang": lang, "highfence_version": __version__,
             "generated_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
             "restricted_included": include_restricted}
    if kind == "roster":
        subjects = _rows(con, "SELECT * FROM v_subject_summary ORDER BY subject_id")
        ids = [s["subject_id"] for s in subjects]
        model["subjects"] = subjects
    elif kind == "partnership":
        from highfence.flows.partnerships import get_partnership, show

        p = get_partnership(con, ident or "")
        ids = [x["subject_id"] for x in p["partners"] if x.get("subject_id")] + p["researchers"]
        model["partnership"] = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in p.items()}
        model["subjects"] = _rows(con, "SELECT * FROM v_subject_summary WHERE list_contains(?, subject_id) "
                                       "ORDER BY subject_id", [ids])
        latest = con.execute("""SELECT instance_id FROM checklist_instances WHERE partnership_id = ?
                                ORDER BY created_at DESC LIMIT 1""", [p["partnership_id"]]).fetchall()
        model["checklist"] = show(con, latest[0][0]) if latest else None
    else:
        subject = resolve_subject(con, ident or "", "institution" if kind == "partner" else "researcher")
        ids = [subject["subject_id"]]
        links = {}
        if subject.get("orcid"):
            links["orcid"] = f"https://orcid.org/{subject['orcid']}"
        if subject.get("ror_id"):
            links["ror"] = subject["ror_id"]
        if subject.get("openalex_id"):
            links["openalex"] = f"https://openalex.org/{subject['openalex_id']}"
        model["subject"] = {**subject, "links": links}
    model["scope"] = _scope(con, ids)
    model["findings"] = _findings(con, ids)
    model["reconciliation"] = _reconciliation(con, ids, include_restricted)
    model["decisions"] = _decisions(con, ids)
    model["not_checked"] = _not_checked(con, ids)
    model["assessments"] = _assessments(con, ids)
    if kind == "researcher":
        model["timeline"] = _timeline(con, ids[0], model["reconciliation"], include_restricted)
    if kind == "partner":
        model["copublication"] = _copublication(con, ids[0])
    return model
