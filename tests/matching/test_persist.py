"""The saved matcher of ``highfence match`` (matching.persist through flows.active_lists.build_matcher): reused while
nothing it depends on changes, rebuilt when the lists, the store's ROR records, the reference data or the code do,
and never a cause of failure (a damaged, foreign or unwritable cache only means a rebuild)."""

import os
import shutil
import stat

import pytest

from highfence import store
from highfence.flows.active_lists import build_matcher
from highfence.flows.lists import load_list
from highfence.matching import Thresholds, persist
from highfence.matching.index import NameIndex
from highfence.records import Subject
from highfence.store import evidence, organisations

HIT = "E1,Harbin Institute of Technology,HIT,organization,CN,2020-05-01\n"
BUAA = "E2,Beihang University,BUAA,organization,CN,\n"
HEADER = "entry_id,name,aliases,kind,country,listed_on\n"


@pytest.fixture
def builds(monkeypatch):
    """How many name indexes were built (the real build, counted)."""
    count = []
    real = NameIndex.__init__

    def counting(self, *args, **kwargs):
        count.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(NameIndex, "__init__", counting)
    return count


@pytest.fixture
def reads(monkeypatch):
    """How many times the database was opened to find the matcher's key."""
    count = []
    real = store.reader

    def counting(path):
        count.append(1)
        return real(path)

    monkeypatch.setattr(store, "reader", counting)
    return count


def load(db, tmp_path, rows, list_id="custom:test"):
    path = tmp_path / f"{list_id.replace(':', '_')}.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    load_list(db, list_id, path, max_drop=1.0)


def matched(matcher, text):
    return {(m.entry_id, m.decision) for m in matcher.match(text)}


def matcher_files(db):
    return sorted(persist.cache_dir(db).glob("matcher-*.pickle"))


def test_second_build_reuses_the_saved_matcher_without_opening_the_database(db, tmp_path, builds, reads):
    load(db, tmp_path, HIT)
    first = build_matcher(db)
    assert builds == [1] and reads == [1]
    [saved] = matcher_files(db)
    mtime = saved.stat().st_mtime_ns

    again = build_matcher(db)
    assert builds == [1], "the saved matcher was rebuilt"
    assert reads == [1], "the database was opened although nothing had written it"
    assert saved.stat().st_mtime_ns == mtime
    text = "School of Astronautics, Harbin Institute of Technology, Harbin 150001, China"
    assert matched(again, text) == matched(first, text) == {("E1", "match")}


def test_cache_files_are_private(db, tmp_path):
    load(db, tmp_path, HIT)
    build_matcher(db)
    folder = persist.cache_dir(db)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = list(folder.iterdir())
    assert any(p.name.startswith("matcher-") for p in files) and any(p.name.startswith("stamp-") for p in files)
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    assert not [p for p in files if p.name.startswith(".tmp-")]


def test_a_new_snapshot_rebuilds(db, tmp_path, builds):
    load(db, tmp_path, HIT)
    assert matched(build_matcher(db), "Beihang University, Beijing") == set()
    load(db, tmp_path, HIT + BUAA)  # the same list, a new snapshot with one more entry
    assert matched(build_matcher(db), "Beihang University, Beijing") == {("E2", "match")}
    assert builds == [1, 1]


def test_a_list_selection_is_its_own_matcher(db, tmp_path, builds):
    load(db, tmp_path, HIT)
    load(db, tmp_path, BUAA, "custom:other")
    both = build_matcher(db)
    one = build_matcher(db, ["custom:test"])
    assert {m.list_id for m in both.match("Beihang University")} == {"custom:other"}
    assert one.match("Beihang University") == []
    assert builds == [1, 1]
    build_matcher(db, ["custom:test"])
    build_matcher(db)
    assert builds == [1, 1] and len(matcher_files(db)) == 2


def test_a_write_elsewhere_in_the_store_reads_the_key_again_but_does_not_rebuild(db, tmp_path, builds, reads):
    load(db, tmp_path, HIT)
    build_matcher(db)
    with store.connect(db) as con, store.transaction(con):
        evidence.upsert_subjects(con, [Subject("R1", "researcher", "Fictional One")], "roster.csv")
    build_matcher(db)
    assert reads == [1, 1] and builds == [1]


def test_new_ror_records_in_the_store_rebuild(db, tmp_path, builds):
    load(db, tmp_path, HIT)
    assert matched(build_matcher(db), "Hagongda Test Campus Name") == set()
    with store.connect(db) as con, store.transaction(con):
        organisations.upsert(con, [{
            "ror_id": "https://ror.org/01yqg2h08", "name": "Harbin Institute of Technology",
            "names": [{"value": "Harbin Institute of Technology", "types": ["label"], "lang": "en"},
                      {"value": "Hagongda Test Campus Name", "types": ["alias"], "lang": "en"}],
            "country": "CN", "types": ["education"], "status": "active", "parents": [], "children": []}], "test")
    assert ("E1", "match") in matched(build_matcher(db), "Hagongda Test Campus Name")
    assert builds == [1, 1]


def test_a_changed_reference_data_file_rebuilds(db, tmp_path, builds, monkeypatch):
    import highfence.packaged

    load(db, tmp_path, HIT)
    data = tmp_path / "data"
    for folder in persist.DATA:
        shutil.copytree(highfence.packaged.data_dir() / folder, data / folder)
    monkeypatch.setattr(highfence.packaged, "data_dir", lambda: data)
    build_matcher(db)
    build_matcher(db)
    assert builds == [1]
    with (data / "matching" / "places.tsv").open("a", encoding="utf-8") as f:
        f.write("# one more line\n")
    build_matcher(db)
    assert builds == [1, 1]


def test_the_fingerprint_covers_the_matching_code_and_follows_its_files(tmp_path, monkeypatch):
    names = [name for name, _ in persist.fingerprint_files()]
    for module in ("index.py", "score.py", "parse.py", "rules.py", "vocab.py", "matcher.py"):
        assert f"highfence.matching/{module}" in names
    assert "highfence.watchlists/text.py" in names and "data/matching/places.tsv" in names
    assert any(n.startswith("highfence.store/migrations/") for n in names)

    package = tmp_path / "fakerules"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "score.py").write_text("PENALTY = 5\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(persist, "CODE", {"fakerules": ("*.py",)})
    before = persist.code_fingerprint()
    assert persist.code_fingerprint() == before
    (package / "score.py").write_text("PENALTY = 6\n", encoding="utf-8")
    assert persist.code_fingerprint() != before


@pytest.mark.parametrize("damage", [
    lambda p: p.write_bytes(b"not a pickle at all"),
    lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),  # truncated
    lambda p: p.write_bytes(b""),
])
def test_a_damaged_cache_file_is_rebuilt(db, tmp_path, builds, damage):
    load(db, tmp_path, HIT)
    build_matcher(db)
    [saved] = matcher_files(db)
    damage(saved)
    matcher = build_matcher(db)
    assert matched(matcher, "Harbin Institute of Technology") == {("E1", "match")}
    assert builds == [1, 1]
    build_matcher(db)  # and the rewritten file serves the next call
    assert builds == [1, 1]


def test_a_cache_file_others_may_write_is_not_read(db, tmp_path, builds):
    load(db, tmp_path, HIT)
    build_matcher(db)
    [saved] = matcher_files(db)
    os.chmod(saved, 0o666)
    build_matcher(db)
    assert builds == [1, 1]
    assert stat.S_IMODE(matcher_files(db)[0].stat().st_mode) == 0o600


def test_a_cache_that_cannot_be_written_is_no_error(db, tmp_path, builds):
    load(db, tmp_path, HIT)
    persist.cache_dir(db).write_text("a file where the folder would go", encoding="utf-8")
    assert matched(build_matcher(db), "Harbin Institute of Technology") == {("E1", "match")}
    assert matched(build_matcher(db), "Harbin Institute of Technology") == {("E1", "match")}
    assert builds == [1, 1]


def test_a_saved_matcher_takes_the_thresholds_asked_for(db, tmp_path):
    load(db, tmp_path, HIT)
    text = "Harbin Inst Technol, Harbin, China"
    [(score, decision)] = {(m.score, m.decision) for m in build_matcher(db).match(text)}
    strict = build_matcher(db, thresholds=Thresholds(match=score + 1, review=score - 1))
    assert strict.thresholds == Thresholds(match=score + 1, review=score - 1)
    assert [m.decision for m in strict.match(text)] == ["review"]


def test_an_unknown_list_is_still_an_error_with_a_cache(db, tmp_path):
    from highfence.errors import InputError

    load(db, tmp_path, HIT)
    build_matcher(db, ["custom:test"])
    with pytest.raises(InputError, match="no active snapshot for list"):
        build_matcher(db, ["custom:nope"])
