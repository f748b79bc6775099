"""Split an affiliation string into affiliations (';'), segments (',' and the like) and tokens, and read what
each segment is: a unit, an organisation, a place, a postcode."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from matching.cjk import CJK_RUN, has_cjk, simplify
from matching.normalize import fold
from matching.resources import DEMONYMS, places
from matching.vocab import COUNTRY_NOISE, LEGAL_FORMS, STOPWORDS, canon
from watchlists.countries import to_iso2

_CHUNK = re.compile(r"[;；\n]|\s\|\s")
_SEGMENT = re.compile(r"[,，、()（）\[\]{}/\\:：|·•،]|\s[-–—]\s|\s[-–—]|[-–—]\s")
_WORD = re.compile(r"\w+")
_UPPER_TOKEN = re.compile(r"\b[A-Z][A-Z0-9&-]{1,11}\b")


@dataclass(frozen=True)
class Segment:
    chunk: int  # which affiliation of a multi-affiliation string (split on ';')
    raw: str
    tokens: tuple[str, ...]  # canonical tokens, stopwords included
    content: tuple[int, ...]  # indexes into tokens of the tokens that carry meaning
    cjk: str  # the segment's Chinese/Japanese text, folded to simplified, '' if none
    location: bool  # the segment is only a place, country or postcode

    def content_tokens(self) -> tuple[str, ...]:
        return tuple(self.tokens[i] for i in self.content)


@dataclass(frozen=True)
class Affiliation:
    raw: str
    segments: tuple[Segment, ...]
    countries: tuple[frozenset[str], ...]  # per chunk: countries named or implied by a place
    upper_tokens: frozenset[str]  # tokens written in capitals in the raw string (acronym evidence)

    def chunk_segments(self, chunk: int) -> list[Segment]:
        return [s for s in self.segments if s.chunk == chunk]


@lru_cache(maxsize=200000)
def tokenize(text: str) -> tuple[str, ...]:
    """Canonical tokens of a Latin-script (or any non-CJK) text."""
    text = text.replace("&", " and ").replace("-", " ").replace("‐", " ")
    return tuple(canon(t) for t in _WORD.findall(fold(text)) if t != "_")


def is_noise(token: str) -> bool:
    return token.isdigit() or (len(token) == 1 and token.isalpha()) or bool(re.fullmatch(r"\d+[a-z]{0,2}|[a-z]{1,2}\d+", token))


def content_indexes(tokens: tuple[str, ...]) -> tuple[int, ...]:
    idx = [i for i, t in enumerate(tokens) if t not in STOPWORDS]
    # Legal forms carry no identity, but only at the end ("Co., Ltd."); keep them if that is all there is.
    while idx and tokens[idx[-1]] in LEGAL_FORMS and len(idx) > 1:
        idx.pop()
    return tuple(idx)


@lru_cache(maxsize=200000)
def place_countries(tokens: tuple[str, ...]) -> frozenset[str]:
    """Countries named by a token sequence: country names, demonym-free place names, 'P.R. China'."""
    found: set[str] = set()
    table = places()
    n = len(tokens)
    i = 0
    while i < n:
        matched = False
        for j in range(min(n, i + 4), i, -1):  # longest place name first
            phrase = " ".join(tokens[i:j])
            code = to_iso2(phrase) if len(phrase) > 2 or phrase in ("uk", "us") else None
            if code:
                found.add(code)
                i, matched = j, True
                break
            if phrase in table and (j - i > 1 or len(phrase) > 3):
                found |= table[phrase]
                i, matched = j, True
                break
        if not matched:
            i += 1
    return frozenset(found)


def _is_location(tokens: tuple[str, ...]) -> bool:
    if not tokens:
        return True
    rest = [t for t in tokens if not is_noise(t) and t not in COUNTRY_NOISE and t not in STOPWORDS]
    if not rest:
        return True
    phrase = " ".join(rest)
    return bool(to_iso2(phrase)) or phrase in places() or all(
        to_iso2(t) or t in places() for t in rest)


def parse_affiliation(text: str) -> Affiliation:
    text = unicodedata.normalize("NFKC", text or "")
    # Arabic-script variants to one form; zero-width non-joiners split Persian compounds.
    text = text.replace("\u200c", " ").replace("ي", "ی").replace("ك", "ک")
    segments: list[Segment] = []
    chunk_countries: list[frozenset[str]] = []
    for c, chunk in enumerate(p for p in _CHUNK.split(text) if p.strip()):
        countries: set[str] = set()
        for raw in _SEGMENT.split(chunk):
            raw = raw.strip(" .\t\"'«»“”")
            if not raw:
                continue
            cjk = ""
            if has_cjk(raw):
                cjk = simplify("".join(CJK_RUN.findall(raw)) if False else re.sub(r"\s+", " ", raw))
            latin = CJK_RUN.sub(" ", raw) if cjk else raw
            tokens = tokenize(latin)
            location = not cjk and _is_location(tokens)
            if tokens:
                countries |= place_countries(tokens) if location else {
                    code for t in tokens if (code := DEMONYMS.get(t) or (to_iso2(t) if len(t) > 3 else None))}
            segments.append(Segment(c, raw, tokens, content_indexes(tokens), cjk, location))
        chunk_countries.append(frozenset(countries))
    upper = frozenset(_UPPER_TOKEN.findall(text))
    return Affiliation(text, tuple(segments), tuple(chunk_countries), upper)
