"""The canonical disclosure: one object per researcher; JSON is the reference form, XLSX and CSV map onto it."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date

AFFILIATION_KINDS = ("employment", "concurrent", "talent_programme", "visiting", "emeritus", "other")
FUNDING_STATUS = ("applied", "received")

# section -> fields (in template order); researcher_id leads every tabular section.
SECTIONS: dict[str, tuple[str, ...]] = {
    "affiliations": ("organization", "role", "kind", "start", "end", "paid"),
    "funding": ("funder", "programme", "title", "start", "end", "amount", "currency", "status", "role"),
    "in_kind": ("provider", "description", "start", "end"),
    "nda_collaborations": ("partner", "amount", "currency", "effort_percent"),
    "pledge": ("signed_on",),
}
REQUIRED = {"affiliations": ("organization", "kind"), "funding": ("funder", "status"), "in_kind": ("provider",),
            "nda_collaborations": ("partner",), "pledge": ("signed_on",)}
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def parse_partial_date(text: str) -> tuple[date, date]:
    """'2021' -> (2021-01-01, 2021-12-31); '2021-04' -> the month; '2021-04-01' -> the day. ValueError if not."""
    m = _DATE.match(text.strip())
    if not m:
        raise ValueError(text)
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    if mo is None:
        return date(y, 1, 1), date(y, 12, 31)
    mo = int(mo)
    if d is None:
        import calendar

        return date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1])
    day = date(y, mo, int(d))
    return day, day


@dataclass(frozen=True)
class Item:
    """One disclosed row of any section; ``fields`` holds the section's fields as validated strings/numbers."""

    section: str
    fields: dict
    where: str = ""  # file/sheet/row it came from, for messages

    def get(self, key: str, default=None):
        return self.fields.get(key, default)

    def period(self) -> tuple[date | None, date | None]:
        start = parse_partial_date(self.fields["start"])[0] if self.fields.get("start") else None
        end = parse_partial_date(self.fields["end"])[1] if self.fields.get("end") else None
        return start, end

    def covers_year(self, year: int) -> bool:
        start, end = self.period()
        return (start is None or start.year <= year) and (end is None or end.year >= year)


@dataclass
class Disclosure:
    researcher_id: str
    affiliations: list[Item] = field(default_factory=list)
    funding: list[Item] = field(default_factory=list)
    in_kind: list[Item] = field(default_factory=list)
    nda_collaborations: list[Item] = field(default_factory=list)
    pledge: dict | None = None

    def to_json(self, include_restricted: bool = True) -> dict:
        out = {"researcher_id": self.researcher_id}
        for section in ("affiliations", "funding", "in_kind", "nda_collaborations"):
            if section == "nda_collaborations" and not include_restricted:
                continue
            out[section] = [dict(i.fields) for i in getattr(self, section)]
        out["pledge"] = self.pledge
        return out

    @classmethod
    def from_json(cls, doc: dict) -> "Disclosure":
        d = cls(doc["researcher_id"])
        for section in ("affiliations", "funding", "in_kind", "nda_collaborations"):
            setattr(d, section, [Item(section, dict(x)) for x in doc.get(section) or []])
        d.pledge = doc.get("pledge")
        return d
