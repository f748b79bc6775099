"""UN Security Council Consolidated List, from its XML (individuals and entities)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from highfence.watchlists.countries import countries_from
from highfence.watchlists.model import ListEntry, ListFormatError, ParsedList, unique_ids
from highfence.watchlists.readers import read_bytes, refuse_html
from highfence.watchlists.text import clean, dedupe, parse_date

LIST_ID = "un_sc"
SOURCE_URL = "https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list"
# Aliases the UN marks 'Low' quality are too weak to screen on; they are kept in the raw record only.
WEAK_QUALITY = {"low"}


def _text(el: ET.Element, tag: str) -> str:
    child = el.find(tag)
    return clean(child.text) if child is not None else ""


def _values(el: ET.Element, tag: str) -> list[str]:
    return [clean(v.text) for v in el.findall(f"{tag}/VALUE") if clean(v.text)]


def _addresses(el: ET.Element, tag: str) -> tuple[list[str], list[str]]:
    addresses, countries = [], []
    for a in el.findall(tag):
        parts = [_text(a, t) for t in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")]
        text = ", ".join(p for p in parts if p)
        if text:
            addresses.append(text)
        countries.append(_text(a, "COUNTRY"))
    return addresses, countries


def _entry(el: ET.Element, kind: str, list_id: str, path: Path, index: int) -> ListEntry:
    prefix = "INDIVIDUAL" if kind == "person" else "ENTITY"
    name = " ".join(p for p in (_text(el, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")) if p)
    ref = _text(el, "REFERENCE_NUMBER") or _text(el, "DATAID")
    if not name:
        raise ListFormatError("entry without a name", file=str(path), row=index, field="FIRST_NAME")
    if not ref:
        raise ListFormatError("entry without REFERENCE_NUMBER or DATAID", file=str(path), row=index,
                              field="REFERENCE_NUMBER")
    aliases, weak = [], []
    for a in el.findall(f"{prefix}_ALIAS"):
        alias = _text(a, "ALIAS_NAME")
        if alias:
            (weak if _text(a, "QUALITY").casefold() in WEAK_QUALITY else aliases).append(
                {"name": alias, "quality": _text(a, "QUALITY")})
    original = _text(el, "NAME_ORIGINAL_SCRIPT")
    addresses, address_countries = _addresses(el, f"{prefix}_ADDRESS")
    names = dedupe([original] + [a["name"] for a in aliases])
    raw = {
        "dataid": _text(el, "DATAID"), "reference_number": ref, "name": name, "original_script": original,
        "un_list_type": _text(el, "UN_LIST_TYPE"), "listed_on": _text(el, "LISTED_ON"),
        "comments": _text(el, "COMMENTS1"), "aliases": aliases, "weak_aliases": weak, "addresses": addresses,
        "last_updated": _values(el, "LAST_DAY_UPDATED"),
    }
    if kind == "person":
        # Kept only to identify the listed person; never used as a country of the entry (see README, Fairness).
        raw["nationality"] = _values(el, "NATIONALITY")
    return ListEntry(
        list_id=list_id,
        entry_id=ref,
        kind=kind,
        name=name,
        aliases=tuple(n for n in names if n.casefold() != name.casefold()),
        countries=countries_from(*address_countries),
        addresses=tuple(dedupe(addresses)),
        programs=tuple(p for p in [_text(el, "UN_LIST_TYPE")] if p),
        listed_on=parse_date(_text(el, "LISTED_ON")),
        removed_on=parse_date(_text(el, "DELISTED_ON")),
        source_url=SOURCE_URL,
        raw=raw,
    )


def parse(path: Path, list_id: str = LIST_ID) -> ParsedList:
    data = read_bytes(path, "UN Consolidated List XML")
    refuse_html(data, path, "UN Consolidated List XML")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ListFormatError(f"malformed XML ({exc}); truncated download?", file=str(path)) from None
    if root.tag != "CONSOLIDATED_LIST":
        raise ListFormatError(f"root element is <{root.tag}>, expected <CONSOLIDATED_LIST>", file=str(path))
    entries = [_entry(el, "person", list_id, path, i)
               for i, el in enumerate(root.findall("INDIVIDUALS/INDIVIDUAL"), start=1)]
    entries += [_entry(el, "organization", list_id, path, i)
                for i, el in enumerate(root.findall("ENTITIES/ENTITY"), start=1)]
    if not entries:
        raise ListFormatError("no INDIVIDUAL or ENTITY records", file=str(path))
    return ParsedList(list_id, "un-xml", tuple(unique_ids(entries)),
                      published=parse_date(root.get("dateGenerated")), source_url=SOURCE_URL)
