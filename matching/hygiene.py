"""Text hygiene before parsing: what data pipelines do to affiliation strings, undone (the same on list names).

HTML/XML character references left in ('&amp;', '&#x2019;'), words glued together where a space or a line break
was lost ('ofTechnology', 'SciencesBeijing'), tabs and line breaks, IEEE's split 'Poly. Tech.'."""

from __future__ import annotations

import html
import re

_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[A-Za-z]{2,8});")
_GLUED = re.compile(r"\b([A-Za-z][a-z]+)([A-Z][a-z]{2,})")
_POLY_TECH = re.compile(r"\bpoly\.?\s*tech(?:n)?\.(?=\s|$)", re.I)
_BREAK = re.compile(r"\s*[\r\n]+\s*")


def unescape(text: str) -> str:
    """Character references decoded, also when encoded twice ('&amp;amp;')."""
    for _ in range(2):
        if "&" not in text or not _ENTITY.search(text):
            break
        text = html.unescape(text)
    return text


def clean(text: str) -> str:
    """An affiliation string with references decoded, a line break read as a segment break and tabs as spaces."""
    text = unescape(text)
    if "\n" in text or "\r" in text:
        text = _BREAK.sub(", ", text)
    return text.replace("\t", " ")


def _known_word(word: str) -> bool:
    from highfence.matching.resources import places
    from highfence.matching.vocab import CANON, STOPWORDS

    w = word.lower()
    return w in STOPWORDS or w in CANON or (len(w) > 3 and w in places())


def unglue(text: str) -> str:
    """'andAstronautics' -> 'and Astronautics', 'SciencesBeijing' -> 'Sciences Beijing': a lower-case letter
    followed by a capital splits a word only when one side is an organisation word, a function word or a place, so
    names written in camel case stay whole ('McGill', 'DeepMind')."""
    if not _GLUED.search(text):
        return text

    def split(m: re.Match) -> str:
        left, right = m.group(1), m.group(2)
        return f"{left} {right}" if _known_word(left) or _known_word(right) else m.group(0)

    for _ in range(3):  # 'EngineeringHarbinInstitute': each pass splits one more
        new = _GLUED.sub(split, text)
        if new == text:
            break
        text = new
    return text


def words_text(text: str) -> str:
    """What tokenising starts from."""
    text = unglue(text)
    return _POLY_TECH.sub("Polytechnic", text) if "oly" in text else text
