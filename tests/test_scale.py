"""Matching partitioned over Prefect task runners, a local Dask cluster among them, gives the single-process result."""

import pytest

from flows.scale import match_partitioned
from matching import ListedEntry, Matcher, Thresholds

ENTRIES = [ListedEntry("custom:x", "E1", "Harbin Institute of Technology", ("HIT", "哈尔滨工业大学"), ("CN",)),
           ListedEntry("custom:x", "E2", "Beihang University", ("BUAA",), ("CN",))]
ROWS = [(str(i), text, None) for i, text in enumerate([
    "School of Astronautics, Harbin Institute of Technology, Harbin, China", "Beihang University, Beijing",
    "Harbin Medical University", "哈爾濱工業大學", "Tohoku University"] * 20)]


@pytest.mark.parametrize("kind", ["thread", "dask"])
def test_partitioned_matching_equals_single_process(kind, prefect_harness):
    m = Matcher(ENTRIES)
    expected = [(rid, x.entry_id, x.decision) for rid, text, c in ROWS for x in m.match(text, c)]
    got = match_partitioned(ENTRIES, ROWS, Thresholds(), kind, workers=2, chunk=25)
    assert [(r[0], r[2], r[5]) for r in got] == expected
