"""Research-integrity evidence from Crossref: the retraction and expression-of-concern notices ``updated-by`` lists
on a researcher's works (publisher deposits and the Retraction Watch data). The recorded Crossref fixtures carry
no ``updated-by``, so the bodies here are built in the shape Crossref documents (its tutorial "Get Retraction Watch
metadata from Crossref's API") and served from 127.0.0.1."""

import datetime as dt
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from highfence import store
from highfence.connectors import crossref as crossref_mod
from highfence.errors import InputError
from highfence.flows.assess import assess
from highfence.flows.collect import collect, make_sources
from highfence.records import Subject
from highfence.reports import html, markdown
from highfence.reports.build import build
from highfence.risk import packs
from highfence.risk.evaluate import Notice, evaluate
from highfence.settings import load_settings
from highfence.store import integrity
from tests.httpserver import LocalServer, Reply

AUTHOR = "A5099000001"
ORCID = "0000-0002-1825-0097"
RETRACTED, CONCERN, CORRECTED, PLAIN = "10.5555/hf.retracted", "10.5555/hf.concern", "10.5555/hf.corrected", \
    "10.5555/hf.plain"


def _updated(y, m, d) -> dict:
    stamp = dt.datetime(y, m, d, tzinfo=dt.timezone.utc)
    return {"date-parts": [[y, m, d]], "date-time": stamp.isoformat().replace("+00:00", "Z"),
            "timestamp": int(stamp.timestamp() * 1000)}


def crossref_work(doi: str) -> dict:
    work = {"DOI": doi, "type": "journal-article", "title": [f"Work {doi}"], "published": {"date-parts": [[2021, 4]]},
            "author": [{"given": "Fictional", "family": "Researcher", "ORCID": f"https://orcid.org/{ORCID}",
                        "affiliation": []}]}
    if doi == RETRACTED:  # the publisher's notice and Retraction Watch's record of the same notice
        work["updated-by"] = [
            {"updated": _updated(2024, 3, 5), "DOI": "10.5555/hf.notice.r1", "type": "retraction",
             "source": "publisher", "label": "Retraction"},
            {"updated": _updated(2024, 3, 5), "DOI": "10.5555/hf.notice.r1", "type": "retraction",
             "source": "retraction-watch", "record-id": "51234", "label": "Retraction"}]
    if doi == CONCERN:
        work["updated-by"] = [{"updated": _updated(2023, 11, 20), "DOI": "10.5555/hf.notice.eoc",
                               "type": "expression_of_concern", "source": "publisher",
                               "label": "Expression of Concern"}]
    if doi == CORRECTED:
        work["updated-by"] = [{"updated": _updated(2022, 1, 9), "DOI": "10.5555/hf.notice.corr", "type": "correction",
                               "source": "publisher", "label": "Correction"}]
    return work


def openalex_work(doi: str, n: int) -> dict:
    return {"id": f"https://openalex.org/W99000000{n}", "doi": f"https://doi.org/{doi}", "title": f"Work {doi}",
            "publication_year": 2021,
            "authorships": [{"author": {"id": f"https://openalex.org/{AUTHOR}"}, "institutions": []}]}


def crossref_answer(path: str, headers: dict) -> Reply:
    """Crossref's /works: by ORCID (one page, then the end), or by repeated doi: filters (ORed)."""
    query = parse_qs(urlsplit(path).query)
    filters = query.get("filter", [""])[0].split(",")
    if any(f.startswith("orcid:") for f in filters):
        items = [crossref_work(d) for d in (RETRACTED, CORRECTED)] if query.get("cursor") == ["*"] else []
        msg = {"items": items, "next-cursor": "c2"}
    else:
        msg = {"items": [crossref_work(f.removeprefix("doi:")) for f in filters if f.startswith("doi:")]}
    return Reply(json.dumps({"status": "ok", "message-type": "work-list", "message": msg}).encode(), 200,
                 {"Content-Type": "application/json"})


@pytest.fixture
def world():
    with LocalServer() as server:
        works = [openalex_work(d, i) for i, d in enumerate((RETRACTED, CONCERN, CORRECTED, PLAIN))]
        server.route("/works", Reply(json.dumps({"meta": {"next_cursor": None}, "results": works}).encode(), 200,
                                     {"Content-Type": "application/json"}))
        server.route_to("/crossref/works", crossref_answer)
        yield server


def settings_for(server, db):
    return load_settings(env={"HIGHFENCE_DB": str(db), "HIGHFENCE_OPENALEX_URL": server.url,
                              "HIGHFENCE_CROSSREF_URL": server.url + "/crossref", "HIGHFENCE_HTTP_TIMEOUT": "2",
                              "HIGHFENCE_HTTP_RETRIES": "1", "HIGHFENCE_HTTP_BACKOFF": "0.01"})


def test_updated_by_gives_retraction_and_concern_with_notice_doi_and_date_and_not_corrections():
    notices = {}
    for doi in (RETRACTED, CONCERN, CORRECTED, PLAIN):
        notices[doi] = crossref_mod.integrity_notices(crossref_work(doi), "R1", "sha", "http://x/works")
    [r] = notices[RETRACTED]  # publisher and Retraction Watch name the same notice: one
    assert (r.update_type, r.work_doi, r.notice_doi, r.notice_date) == \
        ("retraction", RETRACTED, "10.5555/hf.notice.r1", dt.date(2024, 3, 5))
    assert r.observation.relation == "retraction" and r.observation.observed_name == "10.5555/hf.notice.r1"
    assert r.observation.evidence_id == RETRACTED and r.observation.evidence_year == 2024
    [c] = notices[CONCERN]
    assert (c.update_type, c.notice_doi, c.notice_date) == \
        ("expression_of_concern", "10.5555/hf.notice.eoc", dt.date(2023, 11, 20))
    assert notices[CORRECTED] == [] and notices[PLAIN] == []
    hyphenated = {"DOI": "10.5555/x", "updated-by": [{"type": "expression-of-concern", "DOI": "10.5555/n",
                                                       "updated": {"date-parts": [[2025]]}}]}
    [h] = crossref_mod.integrity_notices(hyphenated, "R1")
    assert h.update_type == "expression_of_concern" and h.notice_date == dt.date(2025, 1, 1)


def test_collect_records_notices_from_the_orcid_listing_and_by_doi_for_the_rest(world, db):
    settings = settings_for(world, db)
    subject = Subject("R1", "researcher", "Fictional Researcher", orcid=None, openalex_id=AUTHOR)
    out = collect(db, make_sources(settings, db), [subject], "run-1", since=2018)
    assert out.errors == []
    with store.connect(db, read_only=True) as con:
        found = integrity.notices(con, ["R1"])
        rels = con.execute("SELECT relation, observed_name, evidence_id, evidence_year, source FROM observations "
                           "WHERE relation IN ('retraction', 'expression_of_concern') ORDER BY 1").fetchall()
    assert [(n.update_type, n.work_doi, n.notice_doi, n.notice_date) for n in found] == [
        ("retraction", RETRACTED, "10.5555/hf.notice.r1", dt.date(2024, 3, 5)),
        ("expression_of_concern", CONCERN, "10.5555/hf.notice.eoc", dt.date(2023, 11, 20))]
    assert rels == [("expression_of_concern", "10.5555/hf.notice.eoc", CONCERN, 2023, "crossref"),
                    ("retraction", "10.5555/hf.notice.r1", RETRACTED, 2024, "crossref")]
    # the four DOIs in one batched call; a correction is no integrity notice
    [call] = [p for p, _ in world.requests if p.startswith("/crossref/works")]
    assert all(d.replace("/", "%2F") in call for d in (RETRACTED, CONCERN, CORRECTED, PLAIN))
    assert CORRECTED not in {n.work_doi for n in found}

    # a second run adds nothing new
    again = collect(db, make_sources(settings, db), [subject], "run-2", since=2018)
    assert again.observations_new == 0


def test_orcid_listing_gives_its_notices_without_a_second_lookup(world, db):
    sources = make_sources(settings_for(world, db), db)
    notices = [n for work, page in sources.crossref.works_by_orcid(ORCID, 2018)
               for n in crossref_mod.integrity_notices(work, "R1", page.sha256, page.url)]
    assert [(n.update_type, n.work_doi) for n in notices] == [("retraction", RETRACTED)]
    assert notices[0].source_url.startswith(world.url + "/crossref/works") and notices[0].body_sha256


def test_reports_list_notices_under_research_integrity(world, db):
    collect(db, make_sources(settings_for(world, db), db),
            [Subject("R1", "researcher", "Fictional Researcher", openalex_id=AUTHOR)], "run-1", since=2018)
    with store.connect(db, read_only=True) as con:
        en, ja = build(con, "researcher", "R1", "en"), build(con, "researcher", "R1", "ja")
        roster = build(con, "roster", None, "en")
    assert [(n["update_type"], n["notice_doi"], n["notice_date"]) for n in en["integrity"]] == [
        ("retraction", "10.5555/hf.notice.r1", "2024-03-05"),
        ("expression_of_concern", "10.5555/hf.notice.eoc", "2023-11-20")]
    assert en["findings"] == []  # a notice is not screened against any list
    json.dumps(en)  # the model stays JSON
    md = markdown.render(en)
    section = md.split("## Research integrity", 1)[1].split("\n## ", 1)[0]
    assert "Retraction" in section and "Expression of concern" in section and "2024-03-05" in section
    assert "<https://doi.org/10.5555/hf.notice.r1>" in section and CORRECTED not in section
    page = html.render(ja)
    assert "<h2>研究公正</h2>" in page and "撤回" in page and "懸念表明" in page
    assert 'href="https://doi.org/10.5555/hf.notice.eoc"' in page
    assert len(roster["integrity"]) == 2


def test_a_researcher_without_notices_gets_the_plain_statement(db):
    from highfence.store import evidence as evidence_store

    with store.connect(db) as con:
        evidence_store.upsert_subjects(con, [Subject("R2", "researcher", "Other Researcher")], "roster")
    with store.connect(db, read_only=True) as con:
        en, ja = build(con, "researcher", "R2", "en"), build(con, "researcher", "R2", "ja")
    assert en["integrity"] == []
    assert "## Research integrity\n\nRetractions" in markdown.render(en)
    assert "No retraction or expression of concern found" in markdown.render(en)
    assert "収集した論文に撤回・懸念表明はありません" in html.render(ja)


def test_assessment_outcomes_unchanged_by_default_and_a_pack_may_use_the_factor(world, db, tmp_path):
    as_of = dt.date(2026, 6, 1)
    notices = [Notice("retraction", RETRACTED, "10.5555/hf.notice.r1", dt.date(2024, 3, 5)),
               Notice("expression_of_concern", CONCERN, "10.5555/hf.notice.eoc", dt.date(2023, 11, 20))]
    for pack in packs.available().values():
        without = evaluate(pack, "R1", as_of, [], [], [])
        with_notices = evaluate(pack, "R1", as_of, [], [], [], notices=notices)
        assert with_notices.to_json() == without.to_json(), pack.id

    collect(db, make_sources(settings_for(world, db), db),
            [Subject("R1", "researcher", "Fictional Researcher", openalex_id=AUTHOR)], "run-1", since=2018)
    # the list the pack needs, so that its outcome is assessed (not cannot_assess)
    from highfence.flows.lists import load_list
    from highfence.packaged import data_path

    load_list(db, "jp_meti_eul", data_path("lists", "jp_meti_eul_20250929.xlsx"))
    default = assess(db, packs.get("jp-guideline"), as_of)
    assert [(a.outcome, a.triggers) for a in default] == [(packs.get("jp-guideline").doc["default_outcome"], [])]

    doc = yaml.safe_load(Path(packs.get("jp-guideline").path).read_text(encoding="utf-8"))
    doc["id"] = "jp-guideline-integrity"
    top = doc["outcomes"][-1]["id"]
    doc["factors"].append({"id": "past_misconduct", "title": {"en": "Retracted work", "ja": "撤回された論文"},
                           "outcome": top, "when": {"integrity": ["retraction"], "evidence": {"within_years": 5}}})
    custom = tmp_path / "integrity.yaml"
    custom.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    [a] = assess(db, packs.load(custom), as_of)
    [trigger] = [t for t in a.triggers if t["factor"] == "past_misconduct"]
    assert a.outcome == top
    assert trigger["evidence"] == [{"integrity": "retraction", "evidence_id": RETRACTED,
                                    "notice_doi": "10.5555/hf.notice.r1", "notice_date": "2024-03-05"}]
    # outside the factor's window the notice counts for nothing
    [later] = assess(db, packs.load(custom), dt.date(2031, 1, 1))
    assert not any(t["factor"] == "past_misconduct" for t in later.triggers)

    doc["factors"][-1]["when"]["integrity"] = ["misconduct"]
    custom.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError, match="unknown notice type 'misconduct'"):
        packs.load(custom)


def test_the_offline_mirror_answers_works_by_doi_from_its_files(tmp_path, db):
    from highfence.connectors.mirror import mirror_url, session_for

    root = tmp_path / "mirror"
    (root / "openalex" / "works").mkdir(parents=True)
    (root / "openalex" / "works" / f"{AUTHOR}.json").write_text(json.dumps(
        {"meta": {"next_cursor": None}, "results": [openalex_work(RETRACTED, 0), openalex_work(PLAIN, 1)]}))
    held = root / "crossref" / "works" / f"{RETRACTED}.json"
    held.parent.mkdir(parents=True)
    held.write_text(json.dumps({"status": "ok", "message": crossref_work(RETRACTED)}))
    settings = load_settings(env={}, overrides={"store.db": str(db), **{
        f"sources.{api}.url": mirror_url(api) for api in ("openalex", "ror", "orcid", "crossref")}})
    sources = make_sources(settings, db, session_factory=lambda: session_for(root))
    out = collect(db, sources, [Subject("R1", "researcher", "Fictional Researcher", openalex_id=AUTHOR)], "run-1")
    assert out.errors == []
    with store.connect(db, read_only=True) as con:
        assert [(n.work_doi, n.notice_doi) for n in integrity.notices(con)] == [(RETRACTED, "10.5555/hf.notice.r1")]
