"""Every spreadsheet and CSV highfence writes goes through here, so that no value is ever taken for a formula.

Strings from OpenAlex, rosters, disclosures or analysts can start with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return; Excel and LibreOffice run such a cell as a formula (CSV injection, OWASP). In CSV the value gets a
leading single quote, as OWASP recommends; in XLSX the cell is typed as a string and marked quotePrefix, so it stays
text even when someone edits it. Numbers, dates and None pass through unchanged."""

from __future__ import annotations

import csv
import re
from typing import Any, Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot hold: openpyxl refuses them (IllegalCharacterError) and one hostile string would
# fail the whole report; they are shown as U+FFFD instead.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def looks_like_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_value(value: Any) -> Any:
    return "'" + value if looks_like_formula(value) else value


def csv_row(row: Iterable[Any]) -> list[Any]:
    return [csv_value(v) for v in row]


class CsvWriter:
    """``csv.writer`` whose rows are made safe first."""

    def __init__(self, f, **kwargs):
        self._w = csv.writer(f, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._w.writerow(csv_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class CsvDictWriter(csv.DictWriter):
    """``csv.DictWriter`` whose rows are made safe first (the header is ours, never hostile)."""

    def writerow(self, rowdict):
        return super().writerow({k: csv_value(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts):
        for r in rowdicts:
            self.writerow(r)


def xlsx_value(value: Any) -> Any:
    return _XML_ILLEGAL.sub("\ufffd", value) if isinstance(value, str) else value


def xlsx_append(ws, row: Sequence[Any]) -> None:
    """Append a row to an openpyxl worksheet with every string as text, never a formula."""
    ws.append([xlsx_value(v) for v in row])
    for cell in ws[ws.max_row]:
        if cell.data_type == "f" or looks_like_formula(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True
