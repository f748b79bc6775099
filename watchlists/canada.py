"""Canada's Named Research Organizations list, from the science.gc.ca page itself."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup

from highfence.watchlists.countries import to_iso2
from highfence.watchlists.model import ListEntry, ListFormatError, ParsedList, stable_id, unique_ids
from highfence.watchlists.readers import decode, read_bytes
from highfence.watchlists.text import clean, dedupe, parse_date, split_values

LIST_ID = "ca_nro"
SOURCE_URL = ("https://science.gc.ca/site/science/en/safeguarding-your-research/guidelines-and-tools-implement-"
              "research-security/sensitive-technology-research-and-affiliations-concern/named-research-organizations")
_ALIAS_LABEL = re.compile(r"^\s*(known alias\(es\)|alias\(es\) connus?|alias connus?)\s*:\s*", re.I)
_COUNTRY = re.compile(r"\(([^()]*)\)\s*$")


def parse(path: Path, list_id: str = LIST_ID) -> ParsedList:
    data = read_bytes(path, "the Named Research Organizations HTML page")
    soup = BeautifulSoup(decode(data, path), "html.parser")
    items = soup.select("div.wb-filter li") or [li for li in soup.find_all("li") if li.find("strong")]
    entries = []
    for i, li in enumerate(items, start=1):
        strong = li.find("strong")
        if strong is None:
            continue
        name = clean(strong.get_text(" "))
        # The country follows the name in parentheses, in the li's own text (not in the alias paragraph).
        own_text = clean(" ".join(t for t in li.find_all(string=True, recursive=False)))
        m = _COUNTRY.search(own_text)
        country = clean(m.group(1)) if m else ""
        aliases: list[str] = []
        for p in li.find_all("p"):
            text = clean(p.get_text(" "))
            if _ALIAS_LABEL.match(text):
                aliases += split_values(_ALIAS_LABEL.sub("", text), ";")
        if not name:
            raise ListFormatError("list item without a name", file=str(path), row=i, field="strong")
        code = to_iso2(country)
        entries.append(ListEntry(
            list_id=list_id,
            entry_id=stable_id(list_id, name),
            kind="organization",
            name=name,
            aliases=tuple(a for a in dedupe(aliases) if a.casefold() != name.casefold()),
            countries=(code,) if code else (),
            source_url=SOURCE_URL,
            raw={"name": name, "country": country, "aliases": aliases},
        ))
    if not entries:
        raise ListFormatError("no organisations found: not the Named Research Organizations page (layout changed?)",
                              file=str(path))
    modified = soup.find("time", attrs={"property": "dateModified"})
    published = parse_date(modified.get_text()) if modified else None
    return ParsedList(list_id, "ca-nro-html", tuple(unique_ids(entries)), published=published, source_url=SOURCE_URL)
