"""OpenSanctions datasets through FollowTheMoney: entities.ftm.json and targets.simple.csv (real OpenSanctions files
from ../shared, CC BY-NC: tests only), screened organisations only, the licence shown wherever the list is used."""

import json

import pytest

from highfence import store
from highfence.cli import main
from highfence.flows.active_lists import build_matcher
from highfence.flows.lists import LoadRefused, load_list
from highfence.store import lists as list_store
from highfence.watchlists import ftm
from highfence.watchlists.model import ListFormatError
from tests.conftest import fixture

ENTITIES = "sanctions_misc/opensanctions_ftm_entities_sample_yente_t1.ftm.json"
SIMPLE = "sanctions_misc/opensanctions_targets.simple_jp_meti_russian_list_2025-03-14.csv"
DELTA = "sanctions_misc/opensanctions_ftm_delta_20240527194702-wnk.json"


def test_entities_file_keeps_organisations_and_persons_apart():
    parsed = ftm.parse(fixture(ENTITIES), "opensanctions:sample")
    assert parsed.format == "ftm-entities"
    assert parsed.counts()["organization"] == 2 and parsed.counts()["person"] == 4  # the Address is no entry
    tobacco = next(e for e in parsed.entries if e.entry_id == "NK-2GdmHtZTeNXjNVrBGEXZNj")
    assert tobacco.kind == "organization" and tobacco.name == "RAB „Inter Tobacco“"
    assert "Общество с ограниченной ответственностью “Интер Тобако”" in tobacco.aliases
    assert tobacco.countries == ("BY",) and "sanction" in tobacco.programs
    assert str(tobacco.listed_on) == "2022-06-03"


def test_targets_simple_csv():
    parsed = ftm.parse(fixture(SIMPLE), "opensanctions:jp_meti_russia")
    assert parsed.format == "ftm-targets-simple" and len(parsed.entries) == 620
    assert parsed.counts()["organization"] == 620
    fibersense = next(e for e in parsed.entries if e.name == "LLC Fibersense")
    assert set(fibersense.aliases) == {"LLC Fibersens", "OOO Fibersense", "有限会社ファイバーセンス"}


def test_delta_operations_give_their_entities():
    parsed = ftm.parse(fixture(DELTA), "opensanctions:delta")
    assert any(e.name == "AL-QAIDA IN IRAQ" and "ISIS" in e.aliases for e in parsed.entries)


def test_load_screen_against_a_string_persons_never_screened(db, capsys):
    result = load_list(db, "opensanctions:sample", fixture(ENTITIES))
    assert result.outcome == "activated" and result.counts["organization"] == 2 and result.counts["person"] == 4
    load_list(db, "opensanctions:jp_meti_russia", fixture(SIMPLE))
    matcher = build_matcher(db)
    hits = matcher.match("Joint Stock Company Vologda Optical and Mechanical Plant, Vologda, Russia")
    assert hits and hits[0].list_id == "opensanctions:jp_meti_russia" and hits[0].decision == "match"
    assert hits[0].entry_name == "Joint Stock Company Vologda Optical and Mechanical Plant"
    assert matcher.match("LLC Inter Tobacco, Minsk, Belarus")[0].entry_id == "NK-2GdmHtZTeNXjNVrBGEXZNj"
    # a listed person's name is never a screening hit: persons are kept, counted, and not screened
    assert matcher.match("Vitaly Yurievich KUZMENKO") == []
    with store.connect(db, read_only=True) as con:
        screened = {e.entry_id for e in list_store.active_entries(con)}
    assert "NK-2Ka3UvopqbpZmVDFjWd4LA" not in screened and "NK-2PacmNpiLUmoz4XD2mSt7A" in screened

    assert main(["--db", str(db), "watchlists", "status"]) == 0
    out = capsys.readouterr().out
    assert out.count("CC BY-NC 4.0") == 2
    assert main(["--db", str(db), "watchlists", "status", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["list_id"]: r["licence"].startswith("OpenSanctions, CC BY-NC 4.0") for r in rows} == {
        "opensanctions:sample": True, "opensanctions:jp_meti_russia": True}


def test_reports_that_used_the_list_show_its_licence(db):
    from highfence.reports.build import _scope

    load_list(db, "opensanctions:sample", fixture(ENTITIES))
    with store.connect(db, read_only=True) as con:
        scope = _scope(con, [])
    assert [(l["list_id"], "CC BY-NC 4.0" in l["licence"]) for l in scope["lists"]] == [("opensanctions:sample", True)]


@pytest.mark.parametrize("content, where", [
    ('{"id": "a", "schema": "Company", "properties": {"name": ["A"]}}\n{"id": "b", "sche', "row 2"),
    ('{"id": "a", "properties": {"name": ["A"]}}\n', "row 1, field 'schema'"),
    ('{"id": "a", "schema": "Company", "properties": {"country": ["ru"]}}\n', "row 1, field 'properties.name'"),
    ('{"id": "a", "schema": "Company", "properties": {"name": "A", "alias": [1]}}\n',
     "row 1, field 'properties.alias'"),
])
def test_bad_entity_lines_name_file_row_and_field(tmp_path, content, where):
    path = tmp_path / "entities.ftm.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ListFormatError) as exc:
        ftm.parse(path, "opensanctions:x")
    assert str(exc.value).startswith(f"{path}, {where}:") and "\n" not in str(exc.value)


def test_bad_csv_row_is_refused_and_the_active_snapshot_kept(db, tmp_path):
    load_list(db, "opensanctions:x", fixture(SIMPLE))
    path = tmp_path / "targets.simple.csv"
    path.write_text('id,schema,name,aliases\nNK-1,Company,Acme,\nNK-2,Company,,Other\n', encoding="utf-8")
    with pytest.raises(LoadRefused, match=r"targets.simple.csv, row 3, field 'name': empty name"):
        load_list(db, "opensanctions:x", path)
    with store.connect(db, read_only=True) as con:
        assert list_store.active_snapshot(con, "opensanctions:x").entries == 620


def test_encoding_is_detected(tmp_path):
    text = 'id,schema,name,aliases\nNK-1,Company,Société Générale Défense,SGD;株式会社テスト\n'
    for encoding in ("utf-16", "utf-8-sig", "cp1252"):
        path = tmp_path / f"targets-{encoding}.csv"
        try:
            path.write_bytes(text.encode(encoding))
        except UnicodeEncodeError:  # cp1252 has no kana: the Latin part only
            path.write_bytes(text.split(";")[0].encode(encoding) + b"\n")
        entry = ftm.parse(path, "opensanctions:x").entries[0]
        assert entry.name == "Société Générale Défense" and "SGD" in entry.aliases


def test_unknown_namespace_says_what_is_known(db, tmp_path):
    with pytest.raises(Exception, match="opensanctions:<dataset>"):
        load_list(db, "sanctions:eu", fixture(ENTITIES))
