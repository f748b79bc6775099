"""Matching: pure functions that link organisation names and affiliation strings, in any script, to list entries.

    from highfence.matching import Matcher, ListedEntry
    matcher = Matcher([ListedEntry("jp_meti_eul", "e1", "Harbin Institute of Technology", ("HIT", "哈爾浜工業大学"),
                                   ("CN",))])
    matcher.match("School of Astronautics, Harbin Institute of Technology, Harbin 150001, China")
"""

from highfence.matching.matcher import Matcher, Thresholds
from highfence.matching.model import ListedEntry, Match

__all__ = ["ListedEntry", "Match", "Matcher", "Thresholds"]
