"""Small text helpers the parsers share: clean values, split aliases, split native-script names out of parentheses,
and read dates in the layouts publishers use."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

NULLS = {"", "-0-", "none", "n/a", "null"}
_SPACE = re.compile(r"\s+")
# Parenthesised parts: ASCII and full-width parentheses.
_PAREN = re.compile(r"[(（]([^()（）]*)[)）]")


def clean(value: object) -> str:
    if value is None:
        return ""
    text = _SPACE.sub(" ", str(value)).strip()
    return "" if text.casefold() in NULLS else text


def split_values(text: str, seps: str = ";|") -> list[str]:
    parts = re.split("[" + re.escape(seps) + "]", text or "")
    return dedupe(clean(p) for p in parts)


def dedupe(values) -> list[str]:
    seen, out = set(), []
    for v in values:
        v = clean(v)
        key = v.casefold()
        if v and key not in seen:
            seen.add(key)
            out.append(v)
    return out


def has_cjk(text: str) -> bool:
    return any(
        unicodedata.name(ch, "").startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL")) for ch in text
    )


def split_parentheses(name: str) -> tuple[str, list[str]]:
    """'Beijing University of Aeronautics and Astronautics (BUAA) (北京航空航天大学)' ->
    ('Beijing University of Aeronautics and Astronautics', ['BUAA', '北京航空航天大学']).

    Only parenthesised parts that are another name (an acronym or a native-script name) are split out; others, such
    as '(Kursk)' or '(Pvt.) Ltd.', stay in the name because they are part of it."""
    aliases = []

    def take(m: re.Match) -> str:
        inner = clean(m.group(1))
        if inner and (has_cjk(inner) or _is_acronym(inner)):
            aliases.append(inner)
            return " "
        return m.group(0)

    stripped = clean(_PAREN.sub(take, name))
    if not stripped:  # the whole name was in parentheses
        return clean(name), []
    return stripped, dedupe(aliases)


def _is_acronym(text: str) -> bool:
    token = text.replace("-", "").replace("&", "").replace(".", "").replace(" ", "")
    return 2 <= len(token) <= 12 and token.isalnum() and sum(c.isupper() for c in token) >= 2 and (
        token.upper() == token or sum(c.isupper() for c in token) >= len(token) / 2
    )


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%Y%m%d", "%Y.%m.%d")


def parse_date(text: str | None) -> date | None:
    """A date as publishers write it; a bare year is 1 January of that year. Unreadable gives None."""
    text = clean(text)
    if not text:
        return None
    if re.fullmatch(r"\d{4}", text):
        return date(int(text), 1, 1)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return date(int(text[:4]), int(text[5:]), 1)
    head = text[:10] if re.match(r"\d{4}-\d{2}-\d{2}", text) else text
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(head, fmt).date()
        except ValueError:
            continue
    return None
