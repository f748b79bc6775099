"""Which parser reads which list, and how each list is fetched live."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from highfence.errors import InputError
from highfence.watchlists import aspi, canada, csl, custom, dod, ftm, meti, ofac, un
from highfence.watchlists.model import ParsedList

CUSTOM_ID = re.compile(r"^custom:[a-z0-9][a-z0-9_.-]{0,63}$")
# Any OpenSanctions dataset (eu_fsf, gb_hmt_sanctions, ...), loaded from its FollowTheMoney export.
OPENSANCTIONS_ID = re.compile(r"^opensanctions:[a-z0-9][a-z0-9_.-]{0,63}$")
OPENSANCTIONS_LICENCE = ("OpenSanctions, CC BY-NC 4.0: non-commercial use with attribution; commercial use needs "
                         "a licence from OpenSanctions")


@dataclass(frozen=True)
class ListSource:
    list_id: str
    title: str
    parse: Callable[[Path, str], ParsedList]
    fetch: str  # how `watchlists refresh` downloads it: file | ofac-set | meti-page | none
    licence: str


SOURCES: dict[str, ListSource] = {s.list_id: s for s in (
    ListSource("us_csl", "US Consolidated Screening List", csl.parse, "file", "US government, public domain"),
    ListSource("us_ofac_sdn", "OFAC Specially Designated Nationals", ofac.parse, "ofac-set",
               "US government, public domain"),
    ListSource("us_ofac_cons", "OFAC Consolidated (non-SDN)", ofac.parse, "ofac-set", "US government, public domain"),
    ListSource("jp_meti_eul", "Japan METI End User List", meti.parse, "meti-page",
               "METI, Public Data License 1.0 (CC BY 4.0 compatible)"),
    ListSource("ca_nro", "Canada Named Research Organizations", canada.parse, "file",
               "Government of Canada, Open Government Licence - Canada"),
    ListSource("un_sc", "UN Security Council Consolidated List", un.parse, "file", "United Nations, public"),
    ListSource("us_dod_1286", "DoD Section 1286 list", dod.parse_1286, "none",
               "DoD publishes PDF only: supply a CSV transcription"),
    ListSource("us_dod_1260h", "DoD 1260H Chinese military companies", dod.parse_1260h, "none",
               "DoD publishes PDF only: supply a CSV transcription"),
    ListSource("aspi_unitracker", "ASPI China Defence Universities Tracker", aspi.parse, "file",
               "MISP galaxy, CC0"),
)}


# Each list's official name and publisher, in the languages reports are written in: coverage lines cite a list as
# its publisher names it, so a committee can find the document.
OFFICIAL: dict[str, dict[str, tuple[str, str]]] = {
    "us_csl": {"en": ("Consolidated Screening List", "US Department of Commerce, International Trade Administration"),
               "ja": ("統合スクリーニングリスト（米国）", "米国商務省国際貿易局")},
    "us_ofac_sdn": {"en": ("Specially Designated Nationals and Blocked Persons List",
                           "US Department of the Treasury, Office of Foreign Assets Control"),
                    "ja": ("特別指定国民及び資産凍結対象者リスト（SDN）", "米国財務省外国資産管理局")},
    "us_ofac_cons": {"en": ("Consolidated Sanctions List (non-SDN lists)",
                            "US Department of the Treasury, Office of Foreign Assets Control"),
                     "ja": ("統合制裁リスト（SDN以外）", "米国財務省外国資産管理局")},
    "jp_meti_eul": {"en": ("End User List", "Ministry of Economy, Trade and Industry (Japan)"),
                    "ja": ("外国ユーザーリスト", "経済産業省")},
    "ca_nro": {"en": ("Named Research Organizations", "Government of Canada (Innovation, Science and Economic "
                      "Development Canada)"),
               "ja": ("指定研究機関リスト（カナダ）", "カナダ政府（イノベーション・科学・経済開発省）")},
    "un_sc": {"en": ("United Nations Security Council Consolidated List", "United Nations Security Council"),
              "ja": ("国際連合安全保障理事会統合制裁リスト", "国際連合安全保障理事会")},
    "us_dod_1286": {"en": ("List of foreign institutions engaged in problematic activities (Section 1286, NDAA FY2019)",
                           "US Department of Defense"),
                    "ja": ("懸念のある活動に関与する外国機関リスト（国防授権法1286条）", "米国国防総省")},
    "us_dod_1260h": {"en": ("Chinese military companies operating in the United States (Section 1260H, NDAA FY2021)",
                            "US Department of Defense"),
                     "ja": ("中国軍事企業リスト（国防授権法1260H条）", "米国国防総省")},
    "aspi_unitracker": {"en": ("China Defence Universities Tracker", "Australian Strategic Policy Institute"),
                        "ja": ("中国国防大学トラッカー", "オーストラリア戦略政策研究所")},
}


def official(list_id: str) -> dict[str, dict[str, str]]:
    """{lang: {name, publisher}}; a custom or later list falls back to its registry title."""
    if list_id in OFFICIAL:
        return {lang: {"name": n, "publisher": p} for lang, (n, p) in OFFICIAL[list_id].items()}
    try:
        title = source_for(list_id).title
    except InputError:
        title = list_id
    return {lang: {"name": title, "publisher": "-"} for lang in ("en", "ja")}


def known(list_id: str) -> bool:
    try:
        source_for(list_id)
    except InputError:
        return False
    return True


def source_for(list_id: str) -> ListSource:
    if list_id in SOURCES:
        return SOURCES[list_id]
    if CUSTOM_ID.match(list_id):
        return ListSource(list_id, f"Custom list {list_id[7:]}", custom.parse, "none", "your own")
    if OPENSANCTIONS_ID.match(list_id):
        return ListSource(list_id, f"OpenSanctions dataset {list_id.split(':', 1)[1]}", ftm.parse, "none",
                          OPENSANCTIONS_LICENCE)
    raise InputError(f"unknown list '{list_id}' (known: {', '.join(SOURCES)}, custom:<name>, or "
                     f"opensanctions:<dataset> for an OpenSanctions FollowTheMoney file)")


def licence_of(list_id: str) -> str:
    """The terms a list is published under, as reports and `watchlists status` show them."""
    try:
        return source_for(list_id).licence
    except InputError:  # a list loaded by a later version of highfence
        return "unknown"


def source_files(list_id: str, path: Path) -> list[Path]:
    """The files a load reads, for the snapshot's sha256 (OFAC sets span several)."""
    if source_for(list_id).parse is ofac.parse:
        return ofac.source_files(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder; {list_id} is loaded from one file")
    return [path]
