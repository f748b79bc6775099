"""``highfence match --input`` as a function: rows out in input order, a repeated string matched once."""

from highfence.flows.match_csv import default_workers, match_inputs
from highfence.matching import ListedEntry, Matcher

ENTRIES = [ListedEntry("custom:test", "E1", "Harbin Institute of Technology", ("HIT",), ("CN",)),
           ListedEntry("custom:test", "E2", "Beihang University", ("BUAA",), ("CN",))]
HIT = "School of Astronautics, Harbin Institute of Technology, Harbin 150001, China"
BUAA = "Beihang University, Beijing, China"


def test_repeated_strings_are_matched_once_and_every_row_keeps_its_results(monkeypatch):
    matcher = Matcher(ENTRIES)
    calls = []
    real = Matcher.match

    def counting(self, text, country=None, *args, **kwargs):
        calls.append((text, country))
        return real(self, text, country, *args, **kwargs)

    rows = [("r1", HIT, None), ("r2", BUAA, None), ("r3", "Tsinghua University", None), ("r4", HIT, None),
            ("r5", BUAA, "CN"), ("r6", BUAA, None)]
    expected = [(rid, m.list_id, m.entry_id, m.matched_name, m.score, m.decision, m.explanation)
                for rid, text, country in rows for m in matcher.match(text, country)]
    monkeypatch.setattr(Matcher, "match", counting)
    got = list(match_inputs(matcher, rows, workers=1, batch_size=2))
    assert got == expected
    assert [r[0] for r in got] == ["r1", "r2", "r4", "r5", "r6"]
    assert len(calls) == len(set(calls)) == 4
    assert set(calls) == {(HIT, None), (BUAA, None), ("Tsinghua University", None), (BUAA, "CN")}


def test_forked_workers_give_the_same_rows():
    matcher = Matcher(ENTRIES)
    rows = [(f"r{i}", [HIT, BUAA, "Tsinghua University"][i % 3] + f", Room {i % 7}", None) for i in range(60)]
    assert list(match_inputs(matcher, rows, workers=2, batch_size=5)) == list(match_inputs(matcher, rows, workers=1))


def test_default_workers_is_at_least_one():
    assert 1 <= default_workers() <= 8
