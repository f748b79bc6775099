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
