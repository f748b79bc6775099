"""Japan METI End User List (外国ユーザーリスト), from METI's own xlsx.

Headers are two lines (Japanese, English); cells hold a Japanese and an English line (country, WMD type);
aliases are '・'-prefixed lines; native-script names and acronyms stand in parentheses after the name."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

from highfence.watchlists.countries import to_iso2
from highfence.watchlists.model import ListEntry, ListFormatError, ParsedList, stable_id, unique_ids
from highfence.watchlists.readers import read_bytes, refuse_html
from highfence.watchlists.text import clean, dedupe, split_parentheses

LIST_ID = "jp_meti_eul"
SOURCE_URL = "https://www.meti.go.jp/policy/anpo/law05.html"
# English header words that identify each column, whatever the order or the Japanese line above them.
COLUMNS = {
    "no": "no.",
    "country": "country or region",
    "name": "company or organization",
    "aliases": "also known as",
    "wmd": "type of wmd",
    "cw": "conventional weapons",
}
_FILE_DATE = re.compile(r"(20\d{2})(\d{2})(\d{2})")
_WMD = {"B": "biological", "C": "chemical", "M": "missile", "N": "nuclear"}


def published_from_name(path: Path) -> date | None:
    """METI names its files by publication date (e.g. 20250929_4.xlsx); the sheet itself states none."""
    m = _FILE_DATE.search(path.name)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _english_line(cell: str) -> str:
    lines = [ln.strip() for ln in cell.splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def _aliases(cell: str) -> list[str]:
    out = []
    for line in cell.splitlines():
        line = clean(line.lstrip("・･·• "))
        if line:
            out.append(line)
    return out


def parse(path: Path, list_id: str = LIST_ID) -> ParsedList:
    import openpyxl  # imported here: only this parser needs it

    data = read_bytes(path, "METI End User List xlsx")
    refuse_html(data, path, "METI End User List xlsx")
    if not data.startswith(b"PK"):
        raise ListFormatError("not an xlsx file (expected METI's Excel workbook)", file=str(path))
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ListFormatError(f"unreadable xlsx ({exc}); truncated download?", file=str(path)) from None
    try:
        ws = wb["ユーザーリスト"] if "ユーザーリスト" in wb.sheetnames else wb[wb.sheetnames[0]]
        rows = ws.iter_rows(values_only=True)
        col: dict[str, int] = {}
        header_row = 0
        for header_row, row in enumerate(rows, start=1):
            texts = [clean(c).casefold() if c is not None else "" for c in row]
            found = {key: i for key, word in COLUMNS.items() for i, t in enumerate(texts) if word in t}
            if "name" in found and "country" in found:
                col = found
                break
            if header_row > 20:
                break
        missing = [COLUMNS[k] for k in ("country", "name", "aliases", "wmd") if k not in col]
        if missing:
            raise ListFormatError(f"header not found or missing column(s): {', '.join(missing)}",
                                  file=str(path), field=f"sheet {ws.title}")
        entries = []
        for line, row in enumerate(rows, start=header_row + 1):
            cells = [("" if c is None else str(c)) for c in row]
            get = lambda key: cells[col[key]] if key in col and col[key] < len(cells) else ""  # noqa: E731
            raw_name = get("name").strip()
            if not raw_name and not get("country").strip():
                continue
            if not raw_name:
                raise ListFormatError("empty organisation name", file=str(path), row=line,
                                      field="Company or Organization")
            first_line = clean(raw_name.replace("\n", " "))
            name, paren_aliases = split_parentheses(first_line)
            country_cell = get("country")
            country_en = _english_line(country_cell)
            wmd_codes = [c.strip() for c in re.split(r"[,、，]", _english_line(get("wmd"))) if c.strip() in _WMD]
            cw = "CW" in get("cw").upper()
            programs = [f"WMD:{c}" for c in wmd_codes] + (["CW"] if cw else [])
            aliases = [a for a in dedupe(paren_aliases + _aliases(get("aliases"))) if a.casefold() != name.casefold()]
            code = to_iso2(country_en)
            entries.append(ListEntry(
                list_id=list_id,
                # METI's 'No.' is =ROW()-1 and renumbers every edition; country and name identify an entry.
                entry_id=stable_id(list_id, code or country_en, name),
                kind="organization",
                name=name,
                aliases=tuple(aliases),
                countries=(code,) if code else (),
                programs=tuple(programs),
                source_url=SOURCE_URL,
                raw={"row": line, "country": clean(country_cell.replace("\n", " / ")), "name": raw_name,
                     "aliases": get("aliases"), "wmd": clean(get("wmd").replace("\n", " / ")),
                     "conventional_weapons": cw},
            ))
    finally:
        wb.close()
    if not entries:
        raise ListFormatError("no entries below the header", file=str(path))
    return ParsedList(list_id, "meti-xlsx", tuple(unique_ids(entries)), published=published_from_name(path),
                      source_url=SOURCE_URL)
