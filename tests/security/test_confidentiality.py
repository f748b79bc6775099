"""Confidentiality attacks (issue 16), each replayed on a throw-away store: NDA collaborations are read only by those
holding the restricted key, every such read is logged, and no secret reaches a file, a flow parameter or a URL."""

import base64
import json
import os
import stat
from pathlib import Path

import duckdb
import pytest

from highfence import store
from highfence.cli import main
from highfence.restricted_key import ENV_KEY, RestrictedKey
from highfence.store.restricted import Record, Restricted, os_user, restricted_path

PARTNER = "Falcon Dynamics Kabushiki Kaisha"  # an NDA partner on the list: it yields a restricted finding
SECRET_PARTNER = "Kestrel Optics Godo Kaisha"  # an NDA partner on no list: its name is nowhere but in the NDA
AMOUNT = 1234567
KEY = base64.b64encode(bytes(range(32))).decode()
OTHER_KEY = base64.b64encode(bytes(range(1, 33))).decode()
DATA = Path(__file__).resolve().parents[2] / "data" / "rules" / "jp-guideline.yaml"


def cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A store with a list naming the NDA partner, researcher R1 and a disclosure whose NDA item names the partner,
    loaded and reconciled with the key; and a rule pack that counts listed-entity involvement of any year."""
    from highfence.flows.lists import load_list
    from highfence.records import Observation, Subject
    from highfence.store import evidence

    old = os.umask(0o022)  # an ordinary umask: the store must make its files private itself
    try:
        tmp = tmp_path_factory.mktemp("conf")
        db = tmp / "hf.duckdb"
        lst = tmp / "list.csv"
        lst.write_text("entry_id,name,aliases,kind,country,listed_on\n"
                       f"E1,{PARTNER},FDKK,organization,JP,2020-05-01\n"
                       "E2,Beihang University,BUAA,organization,CN,\n", encoding="utf-8")
        load_list(db, "custom:test", lst, max_drop=1.0)
        with store.connect(db) as con, store.transaction(con):
            evidence.upsert_subjects(con, [Subject("R1", "researcher", "Fictional One")], "roster.csv")
            evidence.add_observations(con, [Observation("R1", "affiliation", "Beihang University", "openalex",
                                                        "https://ror.org/00wk2mp56", "10.1/b", 2024)], "run-0")
        disclosure = tmp / "d.json"
        disclosure.write_text(json.dumps({
            "researcher_id": "R1", "affiliations": [{"organization": "Tohoku University", "kind": "employment"}],
            "nda_collaborations": [{"partner": PARTNER, "amount": 10, "currency": "JPY", "effort_percent": 3},
                                   {"partner": SECRET_PARTNER, "amount": AMOUNT, "currency": "JPY",
                                    "effort_percent": 7}]}), encoding="utf-8")
        pack = tmp / "pack.yaml"
        pack.write_text(DATA.read_text(encoding="utf-8").replace("id: jp-guideline", "id: test-any-year").replace(
            "lists: any\n      evidence: {within_years: window_years}", "lists: any\n      evidence: {any: true}"),
            encoding="utf-8")
        os.environ[ENV_KEY] = KEY
        try:
            assert main(["--db", str(db), "disclosures", "load", str(disclosure)]) == 0
            assert main(["--db", str(db), "reconcile"]) == 0
            assert main(["--db", str(db), "assess", "--pack", str(pack)]) == 0  # public: no NDA-derived finding
            assert main(["--db", str(db), "db", "publish"]) == 0
        finally:
            del os.environ[ENV_KEY]
    finally:
        os.umask(old)
    return {"db": db, "disclosure": disclosure, "pack": pack, "tmp": tmp}


@pytest.fixture
def keyed(monkeypatch):
    monkeypatch.setenv(ENV_KEY, KEY)


@pytest.fixture
def nokey(monkeypatch):
    monkeypatch.delenv(ENV_KEY, raising=False)
    monkeypatch.delenv("HIGHFENCE_RESTRICTED_KEY_FILE", raising=False)


def test_read_copy_has_no_nda_content(world):
    for path in (world["db"], store.read_copy_path(world["db"])):
        with duckdb.connect(str(path), read_only=True) as con:
            nda = con.execute("SELECT json_extract(content, '$.nda_collaborations') FROM disclosures").fetchall()
            restricted = con.execute("SELECT count(*) FROM disclosure_findings WHERE restricted").fetchall()[0][0]
            derived = json.dumps([con.execute(f"SELECT * FROM {t}").fetchall() for t in (
                "disclosures", "disclosure_findings", "assessments", "screening_runs")], default=str)
        assert nda == [(None,)] and restricted == 0, path
        assert PARTNER not in derived and SECRET_PARTNER not in derived and str(AMOUNT) not in derived, path
        assert "restricted_findings" not in derived  # not even how many findings the NDA items yielded


def test_no_plaintext_nda_in_any_store_file(world):
    db = world["db"]
    for path in (db, store.read_copy_path(db), restricted_path(db)):
        data = path.read_bytes()
        assert SECRET_PARTNER.encode() not in data and b"Kestrel" not in data, path
        assert str(AMOUNT).encode() not in data, path
    assert PARTNER.encode() not in restricted_path(db).read_bytes()  # sealed there too
    assert KEY.encode() not in restricted_path(db).read_bytes()  # only the fingerprint is kept
    assert bytes(range(32)) not in restricted_path(db).read_bytes()


def test_store_files_are_private(world):
    db = world["db"]
    for path in (db, store.read_copy_path(db), restricted_path(db), db.with_name(db.name + ".lock")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_world_readable_store_is_made_private_on_write(tmp_path):
    db = tmp_path / "old.duckdb"
    store.migrate(db)
    os.chmod(db, 0o644)  # as a highfence before this one left it
    store.migrate(db)
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_without_key_loading_nda_items_is_refused_in_one_line(world, tmp_path, capsys, nokey):
    db = tmp_path / "fresh.duckdb"
    code, _, err = cli(capsys, "--db", str(db), "disclosures", "load", str(world["disclosure"]))
    line = one_line(err)
    assert code == 1 and ENV_KEY in line and "nothing was loaded" in line and PARTNER not in line
    assert not db.exists() and not restricted_path(db).exists()  # refused before anything was written


@pytest.mark.parametrize("args", [("report", "researcher", "R1", "--format", "json", "--include-restricted"),
                                  ("report", "roster", "--include-restricted"),
                                  ("findings", "export", "--include-restricted"),
                                  ("assess", "--pack", "jp-guideline", "--include-restricted"),
                                  ("restricted", "log")])
def test_without_key_restricted_commands_refuse_in_one_line(world, tmp_path, capsys, nokey, args):
    code, out, err = cli(capsys, "--db", str(world["db"]), *args)
    line = one_line(err)
    assert code == 1 and "restricted key" in line and ENV_KEY in line and PARTNER not in out + err


def test_without_the_flag_nothing_restricted_anywhere(world, tmp_path, capsys, keyed):
    db = world["db"]
    out_json = tmp_path / "r.json"
    assert cli(capsys, "--db", str(db), "report", "researcher", "R1", "--format", "json", "--out",
               str(out_json))[0] == 0
    code, exported, _ = cli(capsys, "--db", str(db), "findings", "export", "--format", "json")
    assert code == 0
    model = json.loads(out_json.read_text(encoding="utf-8"))
    assert PARTNER not in out_json.read_text(encoding="utf-8") and PARTNER not in exported
    assert model["restricted_included"] is False
    # the report's assessment is the public one: no trigger from the NDA-derived finding
    triggers = [t for a in model["assessments"] for t in a["triggers"]]
    assert "listed_entity_involvement" not in {t["factor"] for t in triggers}


def test_assessment_counts_nda_findings_only_with_key_and_flag(world, capsys, keyed):
    db, pack = world["db"], world["pack"]
    code, out, _ = cli(capsys, "--db", str(db), "assess", "--pack", str(pack), "--format", "json")
    assert code == 0 and "listed_entity_involvement" not in {t["factor"] for a in json.loads(out)
                                                             for t in a["triggers"]}
    code, out, _ = cli(capsys, "--db", str(db), "assess", "--pack", str(pack), "--include-restricted",
                       "--format", "json")
    sealed = json.loads(out)
    assert code == 0 and "listed_entity_involvement" in {t["factor"] for a in sealed for t in a["triggers"]}
    with store.connect(db, read_only=True) as con:  # the restricted assessment never reaches the live database
        triggers = [r[0] for r in con.execute("SELECT triggers::VARCHAR FROM assessments").fetchall()]
        last_run = json.loads(con.execute("SELECT arg_max(outcome, started_at)::VARCHAR FROM screening_runs "
                                          "WHERE kind = 'assess'").fetchall()[0][0])
    assert not any("listed_entity_involvement" in t for t in triggers)
    assert last_run == {"assessed": 1, "sealed": True}  # counts only: no restricted-derived outcome


def test_with_key_and_flag_content_is_readable_and_logged(world, tmp_path, capsys, keyed):
    db = world["db"]
    out_json = tmp_path / "r.json"
    code, _, _ = cli(capsys, "--db", str(db), "report", "researcher", "R1", "--format", "json",
                     "--include-restricted", "--out", str(out_json))
    model = json.loads(out_json.read_text(encoding="utf-8"))
    assert code == 0 and model["restricted_included"] is True
    assert PARTNER in {f["observed_name"] for f in model["reconciliation"]["findings"]}
    code, exported, _ = cli(capsys, "--db", str(db), "findings", "export", "--include-restricted")
    assert code == 0 and PARTNER in exported
    access = Restricted(db, RestrictedKey(base64.b64decode(KEY), "test"), "test")
    log = access.access_log()
    reads = [e for e in log if e.action == "read" and e.command == "report researcher"]
    assert reads and reads[-1].who == os_user() and reads[-1].subjects == ["R1"] and reads[-1].intact
    assert any(e.command == "findings export" for e in log) and all(e.intact for e in log)
    code, out, _ = cli(capsys, "--db", str(db), "restricted", "log")
    assert code == 0 and "report researcher" in out and os_user() in out


def test_wrong_key_is_refused_in_one_line(world, capsys, monkeypatch):
    monkeypatch.setenv(ENV_KEY, OTHER_KEY)
    code, out, err = cli(capsys, "--db", str(world["db"]), "report", "researcher", "R1", "--format", "json",
                         "--include-restricted")
    line = one_line(err)
    assert code == 1 and "not this store's key" in line and PARTNER not in out + err


def test_malformed_key_is_refused_in_one_line(world, capsys, monkeypatch):
    monkeypatch.setenv(ENV_KEY, "not-a-key")
    code, _, err = cli(capsys, "--db", str(world["db"]), "findings", "export", "--include-restricted")
    line = one_line(err)
    assert code == 1 and "not a restricted key" in line and "not-a-key" not in line


def test_key_file_must_be_private(world, tmp_path, capsys, nokey, monkeypatch):
    key_file = tmp_path / "restricted.key"
    key_file.write_text(KEY + "\n", encoding="ascii")
    os.chmod(key_file, 0o644)
    monkeypatch.setenv("HIGHFENCE_RESTRICTED_KEY_FILE", str(key_file))
    code, out, err = cli(capsys, "--db", str(world["db"]), "findings", "export", "--include-restricted")
    line = one_line(err)
    assert code == 1 and "0644" in line and "chmod 600" in line and PARTNER not in out
    os.chmod(key_file, 0o600)
    code, out, _ = cli(capsys, "--db", str(world["db"]), "findings", "export", "--include-restricted")
    assert code == 0 and PARTNER in out


def test_keygen_writes_a_private_key_and_never_overwrites(tmp_path, capsys):
    path = tmp_path / "k"
    code, out, _ = cli(capsys, "restricted", "keygen", "--out", str(path))
    assert code == 0 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() not in out  # the fingerprint is printed, never the key
    code, _, err = cli(capsys, "restricted", "keygen", "--out", str(path))
    assert code == 1 and "not overwritten" in one_line(err)


def test_sealed_records_cannot_be_swapped_or_altered(tmp_path):
    from highfence.restricted_key import RestrictedError

    db = tmp_path / "s.duckdb"
    access = Restricted(db, RestrictedKey(os.urandom(32), "test"), "test")
    access.write("disclosure_nda", [Record("a", "R1", [{"partner": "A"}]), Record("b", "R2", [{"partner": "B"}])])
    access.write("disclosure_nda", [Record("c", "R3", [{"partner": "C"}])])
    with duckdb.connect(str(restricted_path(db))) as con:  # move b's sealed content onto a
        con.execute("UPDATE restricted_records SET sealed = (SELECT sealed FROM restricted_records WHERE record_id "
                    "= 'b'), nonce = (SELECT nonce FROM restricted_records WHERE record_id = 'b') "
                    "WHERE record_id = 'a'")
    with pytest.raises(RestrictedError, match="fails authentication"):
        access.read("disclosure_nda", ["R1"])
    with duckdb.connect(str(restricted_path(db))) as con:  # and hide who read what
        con.execute("UPDATE access_log SET who = 'nobody' WHERE seq = 1")
    assert [e.intact for e in access.access_log()][:2] == [False, False]


def test_errors_name_the_field_never_the_nda_value(tmp_path, capsys, nokey):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"researcher_id": "R9", "nda_collaborations": [
        {"partner": "Secret Partner KK", "amount": "1.5M JPY for project Falcon", "currency": "Falconium",
         "effort_percent": "Falcon-level"}]}), encoding="utf-8")
    code, out, err = cli(capsys, "--db", str(tmp_path / "x.duckdb"), "disclosures", "check", str(bad))
    assert code == 1 and "Falcon" not in out + err and "Secret Partner" not in out + err
    assert {"amount", "currency", "effort_percent", "not a number"} <= set(out.split()) | {"not a number"}
    assert "not a number" in out and str(bad) in out
    code, out, err = cli(capsys, "--db", str(tmp_path / "x.duckdb"), "disclosures", "load", str(bad))
    line = one_line(err)
    assert code == 1 and "Falcon" not in out + err and "Secret Partner" not in out + err
    assert str(bad) in line and "row 1" in line and "'amount'" in line


def test_legacy_plaintext_is_sealed_and_the_read_copy_refused_until_then(tmp_path, capsys, keyed):
    db = tmp_path / "legacy.duckdb"
    store.migrate(db)
    with store.connect(db) as con:  # what highfence stored before restricted content was sealed
        con.execute("INSERT INTO disclosures VALUES ('d1', 'R1', ?, 'd.json', 'sha', now()::TIMESTAMP)",
                    [json.dumps({"researcher_id": "R1", "affiliations": [], "nda_collaborations": [
                        {"partner": PARTNER, "amount": AMOUNT}]})])
        con.execute("INSERT INTO disclosure_findings VALUES ('f1', 'R1', 'listed_entity_involvement', ?, NULL, "
                    "'disclosure:nda_collaborations', NULL, 'custom:test', 'E1', ?, 100, 'match', 'high', 'x', "
                    "'[]', 'd1', true, 'run', now()::TIMESTAMP)", [PARTNER, PARTNER])
    code, _, err = cli(capsys, "--db", str(db), "db", "publish")
    assert code == 1 and "restricted seal" in one_line(err) and not store.read_copy_path(db).exists()
    code, out, _ = cli(capsys, "--db", str(db), "restricted", "seal")
    assert code == 0 and "sealed 1 disclosure version" in out
    for path in (db, store.read_copy_path(db), restricted_path(db)):
        assert PARTNER.encode() not in path.read_bytes(), path
    code, exported, _ = cli(capsys, "--db", str(db), "findings", "export", "--include-restricted")
    assert code == 0 and PARTNER in exported


def test_settings_for_a_flow_carry_no_secret(tmp_path, monkeypatch):
    from highfence.flows.screen import screen_flow
    from highfence.settings import load_settings

    monkeypatch.setenv("HIGHFENCE_OPENALEX_API_KEY", "sk-openalex-secret")
    settings = load_settings(env=dict(os.environ))
    public = settings.without_secrets()
    params = screen_flow.serialize_parameters({"db": tmp_path / "x.duckdb", "settings": public,
                                               "roster": tmp_path / "r.csv"})
    assert "sk-openalex-secret" not in json.dumps(params, default=str)
    assert public.with_secrets().apis.openalex.api_key == "sk-openalex-secret"  # resolved again inside the flow


def test_collect_passes_no_secret_to_the_flow(tmp_path, monkeypatch, capsys):
    """What the CLI hands to run_flow is what Prefect stores as the flow run's parameters."""
    from highfence.flows import engine
    from highfence.flows.screen import screen_flow

    seen = {}

    def record(flow, **params):
        seen.update(screen_flow.serialize_parameters(params))
        raise SystemExit(0)

    monkeypatch.setenv("HIGHFENCE_OPENALEX_API_KEY", "sk-openalex-secret")
    monkeypatch.setenv(ENV_KEY, KEY)
    monkeypatch.setattr(engine, "run_flow", record)
    with pytest.raises(SystemExit):
        main(["--db", str(tmp_path / "x.duckdb"), "collect", "--roster", str(tmp_path / "r.csv")])
    text = json.dumps(seen, default=str)
    assert seen and "sk-openalex-secret" not in text and KEY not in text


def test_cached_urls_and_errors_carry_no_api_key(tmp_path):
    from highfence.connectors.http import HttpClient, HttpConfig, SourceError
    from highfence.connectors.openalex import OpenAlex
    from highfence.store.cache import StoreCache
    from tests.httpserver import LocalServer, Reply

    db = tmp_path / "c.duckdb"
    store.migrate(db)
    with LocalServer() as server:
        server.route("/authors/A1", Reply(json.dumps({"id": "https://openalex.org/A1"}).encode()))
        server.route("/authors/A2", Reply(b"down", 500))
        client = HttpClient("openalex", HttpConfig(timeout=5, retries=0, backoff=0), cache=StoreCache(db, 1))
        OpenAlex(client, server.url, "", "sk-openalex-secret").author("A1")
        with pytest.raises(SourceError) as failed:  # a key written into the configured URL itself, too
            client.fetch(server.url + "/authors/A2?api_key=sk-in-url", {"api_key": "sk-openalex-secret"})
        assert any("api_key=sk-openalex-secret" in p for p, _ in server.requests)  # the API does get it
    assert "sk-" not in str(failed.value)
    with store.connect(db, read_only=True) as con:
        stored = json.dumps(con.execute("SELECT * FROM http_cache").fetchall() +
                            con.execute("SELECT * EXCLUDE (body) FROM raw_responses").fetchall(), default=str)
    assert "openalex" in stored and "sk-openalex-secret" not in stored


def test_flow_run_parameters_in_prefect_hold_no_secret(prefect_harness, tmp_path, monkeypatch, capsys):
    """The attack as reported: `collect` through a Prefect API, then the flow run's stored parameters read back."""
    from prefect.client.orchestration import get_client

    from tests.httpserver import LocalServer, Reply

    roster = tmp_path / "roster.csv"
    roster.write_text("subject_id,kind,name\nR1,researcher,Test Person\n", encoding="utf-8")
    with LocalServer() as server:
        server.route("/authors", Reply(json.dumps({"results": [], "meta": {"count": 0}}).encode()))
        for api in ("OPENALEX", "ROR", "ORCID", "CROSSREF"):
            monkeypatch.setenv(f"HIGHFENCE_{api}_URL", server.url)
        monkeypatch.setenv("HIGHFENCE_OPENALEX_API_KEY", "sk-openalex-secret")
        monkeypatch.setenv(ENV_KEY, KEY)
        monkeypatch.setenv("HIGHFENCE_HTTP_RETRIES", "0")
        code, out, err = cli(capsys, "--db", str(tmp_path / "f.duckdb"), "collect", "--roster", str(roster))
        assert code == 0, err
        assert any("api_key=sk-openalex-secret" in p for p, _ in server.requests)  # it was used, from the env
    with get_client(sync_client=True) as client:
        runs = [r for r in client.read_flow_runs() if r.parameters.get("roster") == str(roster)]
    text = json.dumps([r.parameters for r in runs], default=str)
    assert runs and "sk-openalex-secret" not in text and KEY not in text


def test_a_restricted_report_is_never_a_prefect_artifact(world, tmp_path, monkeypatch, keyed):
    import prefect.artifacts
    import prefect.context

    from highfence.reports.build import build
    from highfence.reports.render import write

    published = []
    # as inside a flow run: the context says one is running, and artifacts are caught where Prefect would store them
    monkeypatch.setattr(prefect.context.FlowRunContext, "get", classmethod(lambda cls: object()))
    monkeypatch.setattr(prefect.artifacts, "create_markdown_artifact", lambda text, **kw: published.append(text))
    access = Restricted(world["db"], RestrictedKey(base64.b64decode(KEY), "test"), "test")
    with store.connect(world["db"], read_only=True) as con:
        write(build(con, "researcher", "R1", "en", access), "md", tmp_path / "r.md")
        write(build(con, "researcher", "R1", "en"), "md", tmp_path / "p.md")
    assert PARTNER in (tmp_path / "r.md").read_text(encoding="utf-8")
    assert len(published) == 1 and PARTNER not in published[0]  # only the public report was published


def test_files_with_restricted_content_are_private(world, tmp_path, capsys, keyed):
    old = os.umask(0o022)
    try:
        report, export = tmp_path / "r.html", tmp_path / "f.csv"
        assert cli(capsys, "--db", str(world["db"]), "report", "researcher", "R1", "--include-restricted",
                   "--out", str(report))[0] == 0
        assert cli(capsys, "--db", str(world["db"]), "findings", "export", "--include-restricted",
                   "--out", str(export))[0] == 0
    finally:
        os.umask(old)
    for path in (report, export):
        assert PARTNER in path.read_text(encoding="utf-8") and stat.S_IMODE(path.stat().st_mode) == 0o600, path
