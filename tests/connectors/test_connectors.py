"""Connectors against recorded real responses served on 127.0.0.1, and the screen flow end to end."""

import copy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from highfence import store
from highfence.connectors.crossref import Crossref, observations_from_work as crossref_observations
from highfence.connectors.http import HttpClient, HttpConfig, NotFound
from highfence.connectors.openalex import OpenAlex
from highfence.connectors.orcid import Orcid, checksum_ok, normalise, observations_from_record
from highfence.connectors.ror import Ror, organisation_row, read_dump
from highfence.flows.lists import load_list
from highfence.flows.screen import screen_roster
from highfence.errors import InputError
from highfence.settings import load_settings
from highfence.store.cache import StoreCache
from tests.conftest import fixture
from tests.httpserver import LocalServer, Reply

ORCID_ID = "0000-0002-1825-0097"  # ORCID's test persona Josiah Carberry, a real public record


@pytest.fixture
def server():
    with LocalServer() as s:
        yield s


def client(name="test", **kw):
    return HttpClient(name, HttpConfig(timeout=1, retries=2, backoff=0.01, **kw), sleep=lambda s: None)


def load_json(rel):
    return json.loads(fixture(rel).read_text(encoding="utf-8"))


def pages(works, size):
    out = []
    chunks = [works[i:i + size] for i in range(0, len(works), size)]
    for n, chunk in enumerate(chunks):
        nxt = f"cursor-{n + 1}" if n + 1 < len(chunks) else None
        out.append(Reply(json.dumps({"meta": {"count": len(works), "next_cursor": nxt}, "results": chunk}).encode()))
    out.append(Reply(json.dumps({"meta": {"count": len(works), "next_cursor": None}, "results": []}).encode()))
    return out


def test_openalex_cursor_pagination_over_pages(server):
    works = load_json("apis/openalex/herreio_openalex_works_tu9_2022-08-22.json")
    server.route("/works", *pages(works, 200))
    api = OpenAlex(client(), server.url, mailto="office@example.org")
    got = [w for w, _ in api.works("A1", since_year=2017)]
    assert len(got) == 410
    queries = [p for p, _ in server.requests]
    assert len(queries) == 3 and "cursor=%2A" in queries[0] and "cursor=cursor-1" in queries[1]
    assert "mailto=office%40example.org" in queries[0] and "publication_year%3A%3E2016" in queries[0]


def test_openalex_author_by_orcid_and_institution(server):
    server.route(f"/authors/orcid:{'0000-0001-6187-6610'}", Reply(fixture("apis/openalex/bvitamins_A5023888391.json")
                                                                .read_bytes()))
    server.route("/institutions/ror:00jmfr291", Reply(fixture("apis/openalex/bvitamins_I27837315.json").read_bytes()))
    api = OpenAlex(client(), server.url)
    author, _ = api.author("https://orcid.org/0000-0001-6187-6610")
    assert author["id"] == "https://openalex.org/A5023888391"
    inst, got = api.institution("https://ror.org/00jmfr291")
    assert inst["display_name"] == "University of Michigan" and len(got.sha256) == 64


def test_retry_after_503_timeout_and_404(server):
    body = fixture("apis/openalex/bvitamins_I27837315.json").read_bytes()
    # OpenAlex since 2026: 403 means "too fast" (retried after Retry-After); 503 is retried as before
    server.route("/institutions/I27837315", Reply(b"", 403, {"Retry-After": "0"}), Reply(b"", 503), Reply(body))
    api = OpenAlex(client(), server.url)
    assert api.institution("I27837315")[0]["ror"] == "https://ror.org/00jmfr291"
    assert server.hits("/institutions/I27837315") == 3
    with pytest.raises(NotFound, match="not found"):
        api.institution("I1")
    server.route("/institutions/I2", Reply(body, delay=2.5))
    from highfence.connectors.http import SourceError

    with pytest.raises(SourceError, match="timed out"):
        OpenAlex(client(), server.url).institution("I2")


def test_orcid_checksum_before_any_request(server):
    assert checksum_ok(ORCID_ID) and checksum_ok("0000-0002-9079-593X")
    assert not checksum_ok("0000-0002-1825-0098")
    with pytest.raises(InputError, match="not a valid ORCID"):
        Orcid(client(), server.url).record("0000-0002-1825-0098")
    assert server.requests == []
    assert normalise("https://orcid.org/0000-0002-1825-0097") == ORCID_ID


def test_orcid_record_gives_employments_and_fundings(server):
    server.route(f"/{ORCID_ID}/record", Reply(fixture("apis/orcid/mex_common_tests_record_john.json").read_bytes()))
    record, got = Orcid(client(), server.url).record(ORCID_ID)
    obs = observations_from_record(record, "R1", got.sha256, got.url)
    employment = [o for o in obs if o.relation == "employment"]
    assert {o.observed_name for o in employment} >= {"Wesleyan University"}
    assert all(o.evidence_id.startswith(f"/{ORCID_ID}/") for o in obs)
    sample = load_json("apis/orcid/orcid_model_sample_record-full-3.0.json")  # ORCID's schema example
    funders = [o for o in observations_from_record(sample, "R1") if o.relation == "funder"]
    assert funders and all(o.observed_name for o in funders)


def test_crossref_funders_with_awards_and_affiliations(server):
    rec = load_json("apis/crossref/test_funders_filter_works_0.json")
    msg = rec["response"]["message"]
    server.route("/works", Reply(json.dumps({"message": {**msg, "next-cursor": "c1"}}).encode()),
                 Reply(json.dumps({"message": {**msg, "items": []}}).encode()))
    items = list(Crossref(client(), server.url).works_by_orcid(ORCID_ID, 2020))
    assert len(items) == 20 and server.hits("/works") == 2
    work = next(w for w, _ in items if w["DOI"] == "10.1112/jlms.12634")
    obs = crossref_observations(work, "R1")
    funders = {(o.observed_name, o.evidence_id) for o in obs if o.relation == "funder"}
    assert ("National Science Foundation", "10.1112/jlms.12634 (award DMS 1663813)") in funders
    assert any(o.relation == "coauthor_affiliation" and "Glasgow" in o.observed_name for o in obs)


def test_ror_api_and_dump(server, tmp_path):
    hit = next(json.loads(line) for line in fixture("ror/ror_v2_records_CN_HK_MO_TW.jsonl").open(encoding="utf-8")
               if '"https://ror.org/01yqg2h08"' in line)
    server.route("/organizations/01yqg2h08", Reply(json.dumps(hit).encode()))
    server.route("/organizations", Reply(json.dumps({"number_of_results": 1, "items": [
        {"chosen": True, "score": 1.0, "matching_type": "PHRASE", "organization": hit}]}).encode()))
    api = Ror(client(), server.url)
    rec, _ = api.organization("https://ror.org/01yqg2h08")
    row = organisation_row(rec)
    assert row["name"] == "Harbin Institute of Technology" and row["country"] == "CN"
    assert any(n["value"] == "哈尔滨工业大学" for n in row["names"])
    assert api.affiliation("Harbin Institute of Technology, Harbin")[0]["chosen"]
    assert sum(1 for _ in read_dump(fixture("ror/ror_v2_records_CN_HK_MO_TW.jsonl"))) == 1309
    with pytest.raises(InputError, match="not a ROR id"):
        api.organization("harbin")


def test_store_cache_reuses_responses_within_ttl(server, db):
    body = fixture("apis/openalex/bvitamins_I27837315.json").read_bytes()
    server.route("/institutions/I27837315", Reply(body))
    cache = StoreCache(db, ttl_hours=1)
    api = OpenAlex(HttpClient("openalex", HttpConfig(timeout=1), cache=cache), server.url, api_key="secret")
    first = api.institution("I27837315")[1]
    second = api.institution("I27837315")[1]
    assert not first.from_cache and second.from_cache and first.sha256 == second.sha256
    assert server.hits("/institutions/I27837315") == 1
    assert "secret" not in first.url and "api_key=secret" in server.requests[0][0]
    with store.connect(db, read_only=True) as con:
        assert con.execute("SELECT source, status FROM http_cache").fetchall() == [("openalex", 200)]
        assert con.execute("SELECT count(*) FROM raw_responses").fetchall()[0][0] == 1


# --- the screen flow end to end ---------------------------------------------------------------------------------

HIT_COAUTHOR = "School of Astronautics, Harbin Institute of Technology, Harbin 150001, China"


def recorded_work_with_listed_coauthor() -> dict:
    """A real recorded OpenAlex work (W2741809807); its first author is our subject, and one co-author authorship
    is added with a raw affiliation string naming a listed institution."""
    work = load_json("apis/openalex/bvitamins_W2741809807.json")
    work = copy.deepcopy(work)
    extra = copy.deepcopy(work["authorships"][-1])
    extra["author"] = {"id": "https://openalex.org/A9999999999", "display_name": "Co-author (test)", "orcid": None}
    extra["institutions"] = []
    extra["raw_affiliation_strings"] = [HIT_COAUTHOR]
    extra["affiliations"] = [{"raw_affiliation_string": HIT_COAUTHOR, "institution_ids": []}]
    work["authorships"].append(extra)
    return work


def serve_world(server):
    work = recorded_work_with_listed_coauthor()
    server.route("/works", Reply(json.dumps({"meta": {"next_cursor": "n1"}, "results": [work]}).encode()),
                 Reply(json.dumps({"meta": {"next_cursor": None}, "results": []}).encode()))
    server.route(f"/{ORCID_ID}/record", Reply(fixture("apis/orcid/mex_common_tests_record_john.json").read_bytes()))
    server.route("/works-crossref", Reply(b"{}"))
    hit = next(json.loads(line) for line in fixture("ror/ror_v2_records_CN_HK_MO_TW.jsonl").open(encoding="utf-8")
               if '"https://ror.org/01yqg2h08"' in line)
    server.route("/ror/organizations/01yqg2h08", Reply(json.dumps(hit).encode()))
    server.route("/authors", Reply(json.dumps({"results": [load_json("apis/openalex/bvitamins_A5023888391.json")]})
                                   .encode()))
    return work


def world_settings(server, db, **extra):
    env = {"HIGHFENCE_DB": str(db), "HIGHFENCE_OPENALEX_URL": server.url, "HIGHFENCE_ORCID_URL": server.url,
           "HIGHFENCE_CROSSREF_URL": server.url + "/crossref", "HIGHFENCE_ROR_URL": server.url + "/ror",
           "HIGHFENCE_HTTP_TIMEOUT": "1", "HIGHFENCE_HTTP_RETRIES": "1", "HIGHFENCE_HTTP_BACKOFF": "0.01", **extra}
    return load_settings(env=env)


def write_roster(tmp_path, extra_rows=""):
    work = recorded_work_with_listed_coauthor()
    first = work["authorships"][0]["author"]["id"].rsplit("/", 1)[-1]
    path = tmp_path / "roster.csv"
    path.write_text("subject_id,kind,name,orcid,openalex_id,ror_id,home_institution\n"
                    f"R1,researcher,Fictional Researcher,{ORCID_ID},{first},,\n"
                    "P1,institution,Harbin Institute of Technology,,,https://ror.org/01yqg2h08,\n" + extra_rows,
                    encoding="utf-8")
    return path


def test_screen_roster_finds_exactly_the_listed_links(server, db, tmp_path):
    work = serve_world(server)
    load_list(db, "jp_meti_eul", fixture("meti_end_user_list/meti_foreign_user_list_20250929.xlsx"))
    settings = world_settings(server, db)
    outcome = screen_roster(db, settings, write_roster(tmp_path), since=2015)
    assert outcome["subjects"] == 2
    assert [e[1] for e in outcome["errors"]] == ["crossref"]  # no Crossref stand-in: recorded, not fatal
    with store.connect(db, read_only=True) as con:
        rows = con.execute("""SELECT subject_id, relation, observed_name, evidence_id, evidence_year, entry_name,
                                     decision, list_sha256 FROM v_findings ORDER BY ALL""").fetchall()
        run = con.execute("SELECT status FROM screening_runs").fetchall()
    doi = work["doi"].removeprefix("https://doi.org/")
    assert [(r[0], r[1], r[2], r[3], r[5], r[6]) for r in rows] == [
        ("P1", "partner_institution", "Harbin Institute of Technology", "roster:P1",
         "Harbin Institute of Technology", "match"),
        ("R1", "coauthor_affiliation", HIT_COAUTHOR, doi, "Harbin Institute of Technology", "match"),
    ]
    assert rows[1][4] == 2018 and all(len(r[7]) == 64 for r in rows)
    assert run == [("succeeded",)]


def test_name_only_researcher_is_never_resolved_automatically(server, db, tmp_path):
    serve_world(server)
    settings = world_settings(server, db)
    roster = write_roster(tmp_path, "R2,researcher,Jason Priem,,,,\n")
    outcome = screen_roster(db, settings, roster, since=2015, collect_only=True)
    assert outcome["needs_pin"] == ["R2"]
    with store.connect(db, read_only=True) as con:
        cands = con.execute("SELECT openalex_id, display_name FROM author_candidates").fetchall()
        r2 = con.execute("SELECT count(*) FROM observations WHERE subject_id = 'R2'").fetchall()[0][0]
    assert cands == [("A5023888391", "Jason Priem")] and r2 == 0


def test_outage_leaves_collected_evidence_and_rerun_resumes(server, db, tmp_path):
    serve_world(server)
    server.route("/works", Reply(b"", 503))  # OpenAlex down
    settings = world_settings(server, db)
    roster = write_roster(tmp_path)
    first = screen_roster(db, settings, roster, since=2015)
    assert ("R1", "openalex") in {(s, src) for s, src, _ in first["errors"]}
    with store.connect(db, read_only=True) as con:
        kept = con.execute("SELECT count(*) FROM observations").fetchall()[0][0]
    assert kept > 0  # the partner and the ORCID record were kept
    serve_world(server)  # back up
    second = screen_roster(db, settings, roster, since=2015)
    assert not [e for e in second["errors"] if e[1] == "openalex"]
    with store.connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM observations").fetchall()[0][0] > kept
        assert con.execute("SELECT count(DISTINCT observation_id) = count(*) FROM observations").fetchall()[0][0]


def test_run_killed_halfway_then_rerun_completes_without_duplicates(server, db, tmp_path):
    """A screening process killed (SIGKILL) in the middle of collection, then started again."""
    serve_world(server)
    load_list(db, "jp_meti_eul", fixture("meti_end_user_list/meti_foreign_user_list_20250929.xlsx"))
    roster = write_roster(tmp_path)  # R1, then P1
    server.route("/ror/organizations/01yqg2h08", Reply(b"{}", delay=60))  # P1's lookup hangs: R1 is committed
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIGHFENCE_")}
    env.update({"HIGHFENCE_DB": str(db), "HIGHFENCE_OPENALEX_URL": server.url, "HIGHFENCE_ORCID_URL": server.url,
                "HIGHFENCE_CROSSREF_URL": server.url + "/crossref", "HIGHFENCE_ROR_URL": server.url + "/ror",
                "HIGHFENCE_HTTP_TIMEOUT": "120", "HIGHFENCE_HTTP_RETRIES": "0"})
    script = ("from pathlib import Path; from highfence.flows.screen import screen_roster; "
              "from highfence.settings import load_settings; s = load_settings(); "
              f"screen_roster(s.db_path, s, Path({str(roster)!r}), since=2015)")
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=Path(__file__).resolve().parents[2])
    try:
        deadline = time.monotonic() + 120
        while not server.hits("/ror/organizations/01yqg2h08") and time.monotonic() < deadline:
            assert proc.poll() is None, "the run ended before it could be killed"
            time.sleep(0.1)
        assert server.hits("/ror/organizations/01yqg2h08"), "the run never reached the second subject"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with store.connect(db, read_only=True) as con:
        assert con.execute("SELECT status FROM screening_runs").fetchall() == [("running",)]
        assert {r[0] for r in con.execute("SELECT DISTINCT subject_id FROM observations").fetchall()} == {"R1"}
        half = con.execute("SELECT count(*) FROM observations").fetchall()[0][0]

    serve_world(server)  # the lookup answers again
    outcome = screen_roster(db, world_settings(server, db), roster, since=2015)
    assert outcome["subjects"] == 2 and outcome["findings_new"] == 2
    with store.connect(db, read_only=True) as con:
        runs = con.execute("SELECT status, error FROM screening_runs ORDER BY started_at").fetchall()
        assert runs[0][0] == "failed" and runs[0][1].startswith("interrupted") and runs[1] == ("succeeded", None)
        assert con.execute("SELECT count(DISTINCT observation_id) = count(*) FROM observations").fetchall()[0][0]
        assert con.execute("SELECT count(*) FROM observations WHERE subject_id = 'R1'").fetchall()[0][0] == half
        assert con.execute("SELECT count(DISTINCT finding_id), count(*) FROM findings").fetchall() == [(2, 2)]
    again = screen_roster(db, world_settings(server, db), roster, since=2015)  # and once more: nothing new
    assert again["observations_new"] == 0 and again["findings_new"] == 0


def test_unknown_orcid_is_a_per_subject_error(server, db, tmp_path):
    serve_world(server)
    server.routes.pop(f"/{ORCID_ID}/record")
    outcome = screen_roster(db, world_settings(server, db), write_roster(tmp_path), since=2015)
    assert any(src == "orcid" and "not found" in err for _, src, err in outcome["errors"])


def test_screen_command_through_prefect_and_findings_export(server, tmp_path, monkeypatch, capsys, prefect_harness):
    from highfence.cli import main

    serve_world(server)
    db = tmp_path / "hf.duckdb"
    for key, value in {"HIGHFENCE_OPENALEX_URL": server.url, "HIGHFENCE_ORCID_URL": server.url,
                       "HIGHFENCE_CROSSREF_URL": server.url + "/crossref", "HIGHFENCE_ROR_URL": server.url + "/ror",
                       "HIGHFENCE_HTTP_TIMEOUT": "1", "HIGHFENCE_HTTP_RETRIES": "0"}.items():
        monkeypatch.setenv(key, value)
    assert main(["--db", str(db), "watchlists", "load", "jp_meti_eul", "--file",
                 str(fixture("meti_end_user_list/meti_foreign_user_list_20250929.xlsx"))]) == 0
    assert main(["--db", str(db), "screen", "--roster", str(write_roster(tmp_path)), "--since", "2015"]) == 0
    out = capsys.readouterr().out
    assert "2 new findings" in out and "crossref" in out
    assert main(["--db", str(db), "findings", "export", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {(r["subject_id"], r["relation"], r["list_id"], r["decision"], r["status"]) for r in rows} == {
        ("P1", "partner_institution", "jp_meti_eul", "match", "open"),
        ("R1", "coauthor_affiliation", "jp_meti_eul", "match", "open")}
    out_csv = tmp_path / "findings.csv"
    assert main(["--db", str(db), "findings", "export", "--out", str(out_csv)]) == 0
    header = out_csv.read_text(encoding="utf-8").splitlines()[0]
    assert header == ("finding_id,subject_id,relation,observed_name,observed_ror,evidence_id,evidence_year,list_id,"
                      "entry_id,entry_name,score,decision,status")
    assert main(["--db", str(db), "roster", "pin", "R9", "A5023888391"]) == 0
    assert main(["--db", str(db), "roster", "pin", "R9", "Jason"]) == 1


def test_collection_on_a_task_runner_gives_the_same_findings(server, db, tmp_path, prefect_harness):
    serve_world(server)
    load_list(db, "jp_meti_eul", fixture("meti_end_user_list/meti_foreign_user_list_20250929.xlsx"))
    for key, value in {"HIGHFENCE_OPENALEX_URL": server.url, "HIGHFENCE_ORCID_URL": server.url,
                       "HIGHFENCE_CROSSREF_URL": server.url + "/crossref", "HIGHFENCE_ROR_URL": server.url + "/ror",
                       "HIGHFENCE_HTTP_TIMEOUT": "1", "HIGHFENCE_HTTP_RETRIES": "0"}.items():
        import os

        os.environ[key] = value
    try:
        settings = load_settings()
        outcome = screen_roster(db, settings, write_roster(tmp_path), since=2015, task_runner="thread")
    finally:
        for key in ("HIGHFENCE_OPENALEX_URL", "HIGHFENCE_ORCID_URL", "HIGHFENCE_CROSSREF_URL", "HIGHFENCE_ROR_URL",
                    "HIGHFENCE_HTTP_TIMEOUT", "HIGHFENCE_HTTP_RETRIES"):
            os.environ.pop(key, None)
    assert outcome["subjects"] == 2 and outcome["findings_new"] == 2
