"""Split an affiliation string into affiliations (';'), segments (',' and the like) and tokens, and read what
each segment is: a unit, an organisation, a place, a postcode."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from highfence.matching.cjk import CJK_RUN, has_cjk, simplify
from highfence.matching.hygiene import clean, words_text
from highfence.matching.normalize import fold
from highfence.matching.resources import DEMONYMS, places
from highfence.matching.vocab import COUNTRY_NOISE, LEGAL_FORMS, STOPWORDS, canon

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
    words: tuple[str, ...] = ()  # the content tokens themselves
    bag: tuple[str, ...] = ()  # content tokens sorted, noise left out (for 'same words, other order')
    wordset: frozenset[str] = frozenset()

    def content_tokens(self) -> tuple[str, ...]:
        return self.words


@dataclass(frozen=True)
class Affiliation:
    raw: str
    segments: tuple[Segment, ...]
    countries: tuple[frozenset[str], ...]  # per chunk: countries named or implied by a place
    upper_tokens: frozenset[str]  # tokens written in capitals in the raw string (acronym evidence)
    has_katakana: bool = False
    words: frozenset[str] = frozenset()  # every content token of the string
    has_split_words: bool = False  # two adjacent tokens might be one word written apart ('si chuan')
    chunks: tuple[tuple[Segment, ...], ...] = ()  # segments grouped by affiliation
    located: tuple[frozenset[str], ...] = ()  # per chunk: countries of its place segments only (not of name words)


@lru_cache(maxsize=200000)
def tokenize(text: str) -> tuple[str, ...]:
    """Canonical tokens of a Latin-script (or any non-CJK) text."""
    text = words_text(text).replace("&", " and ").replace("-", " ").replace("‐", " ")
    return tuple(canon(t) for t in _WORD.findall(fold(text)) if t != "_")


_NOISE = re.compile(r"\d+[a-z]{0,2}|[a-z]{1,2}\d+")


@lru_cache(maxsize=100000)
def is_noise(token: str) -> bool:
    """Digits, postcodes, single letters, footnote marks."""
    return token.isdigit() or (len(token) == 1 and token.isalpha()) or bool(_NOISE.fullmatch(token))


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Folded country names (ISO names, common and official names, the lists' variants) -> ISO alpha-2."""
    import pycountry

    from highfence.watchlists.countries import _ALIASES

    table = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value:
                table[" ".join(tokenize(value))] = c.alpha_2
        table[c.alpha_3.lower()] = c.alpha_2
    for name, code in _ALIASES.items():
        table[" ".join(tokenize(name))] = code
    for noise in ("pr china", "p r china", "people r china", "people republic china", "prc", "usa", "uk", "ussr"):
        table.setdefault(noise, {"ussr": "RU", "usa": "US", "uk": "GB"}.get(noise, "CN"))
    return table


_ISO2 = re.compile(r"^[A-Z]{2}$")


@lru_cache(maxsize=1)
def _iso_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)


def iso_code(raw: str) -> str | None:
    """'CN' -> 'CN' when a segment is an ISO 3166 code written in capitals; the UK is 'GB' in ISO but 'UK' in print."""
    raw = raw.strip()
    if not _ISO2.match(raw):
        return None
    raw = {"UK": "GB"}.get(raw, raw)
    return raw if raw in _iso_codes() else None


# Two-letter codes that are also US state abbreviations ('Boston, MA', 'Bloomington, IN'): a location, not a country.
US_STATES = frozenset("AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY "
                      "NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC".split())


def country_of(phrase: str) -> str | None:
    return _country_names().get(phrase)


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
            code = country_of(phrase) if len(phrase) > 2 or phrase in ("uk", "us") else None
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


def is_location(tokens: tuple[str, ...]) -> bool:
    """Only a place, country or postcode."""
    if not tokens:
        return True
    rest = [t for t in tokens if not is_noise(t) and t not in COUNTRY_NOISE and t not in STOPWORDS]
    if not rest:
        return True
    phrase = " ".join(rest)
    return bool(country_of(phrase)) or phrase in places() or bool(place_countries(tuple(rest))) and all(
        country_of(t) or t in places() for t in rest)


def _fields(seg: Segment) -> tuple:
    return (seg.chunk, seg.raw, seg.tokens, seg.content, seg.cjk, seg.location, seg.words, seg.bag, seg.wordset)


@lru_cache(maxsize=100000)
def _segment(raw: str) -> tuple[Segment, frozenset[str]]:
    """One segment, parsed once however often it recurs ('China', 'Chinese Academy of Sciences')."""
    cjk = simplify(re.sub(r"\s+", " ", raw)) if has_cjk(raw) else ""
    latin = CJK_RUN.sub(" ", raw) if cjk else raw
    tokens = tokenize(latin)
    location = not cjk and is_location(tokens)
    countries: frozenset[str] = frozenset()
    if tokens:
        countries = place_countries(tokens) if location else frozenset(
            code for t in tokens if (code := DEMONYMS.get(t) or (country_of(t) if len(t) > 3 else None)))
    content = content_indexes(tokens)
    words = tuple(tokens[i] for i in content)
    bag = tuple(sorted(t for t in words if not is_noise(t) or t[0].isdigit()))
    return Segment(0, raw, tokens, content, cjk, location, words, bag, frozenset(words)), countries


def segment_tokens(text: str) -> list[tuple[str, ...]]:
    """The tokens of each segment, through the same per-segment cache as parsing (cheap for recurring parts)."""
    text = clean(unicodedata.normalize("NFKC", text or ""))
    out = []
    for chunk in _CHUNK.split(text):
        for raw in _split_segments(chunk):
            raw = raw.strip(" .\t\"'«»“”")
            if raw:
                out.append(_segment(raw)[0].tokens)
    return out


_CONTINUES = re.compile(r"^\s*(and|&)\s", re.I)


def _split_segments(chunk: str) -> list[str]:
    """A chunk's segments. A piece that starts with 'and' continues the name before it: a comma inside a name
    ('Iran University of Science, and Technology') does not end the name."""
    out: list[str] = []
    for piece in _SEGMENT.split(chunk):
        if out and _CONTINUES.match(piece):
            out[-1] = f"{out[-1]} {piece.strip()}"
        else:
            out.append(piece)
    return out


def parse_affiliation(text: str) -> Affiliation:
    text = clean(unicodedata.normalize("NFKC", text or ""))
    # Arabic-script variants to one form; zero-width non-joiners split Persian compounds.
    text = text.replace("\u200c", " ").replace("ي", "ی").replace("ك", "ک")
    segments: list[Segment] = []
    chunk_countries: list[frozenset[str]] = []
    chunk_located: list[frozenset[str]] = []
    for c, chunk in enumerate(p for p in _CHUNK.split(text) if p.strip()):
        countries: set[str] = set()
        located: set[str] = set()
        raws = [r for r in (raw.strip(" .\t\"'«»“”") for raw in _split_segments(chunk)) if r]
        for k, raw in enumerate(raws):
            seg, seg_countries = _segment(raw)
            if k and k == len(raws) - 1 and (code := iso_code(raw)):
                # a trailing ISO country code ('..., CN'), as bibliographic databases append it
                seg = Segment(c, raw, seg.tokens, (), "", True)
                seg_countries = frozenset() if code in US_STATES else frozenset({code})
            segments.append(seg if seg.chunk == c else Segment(c, *_fields(seg)[1:]))
            countries |= seg_countries
            if seg.location:
                located |= seg_countries
        chunk_countries.append(frozenset(countries))
        chunk_located.append(frozenset(located))
    upper = frozenset(_UPPER_TOKEN.findall(text))
    katakana = bool(re.search("[\u30a1-\u30fa]", text))
    words = frozenset(t for s in segments for t in s.words)
    split = any(len(t) <= 4 and t.isalpha() for t in words)
    chunks = tuple(tuple(s for s in segments if s.chunk == c) for c in range(len(chunk_countries)))
    return Affiliation(text, tuple(segments), tuple(chunk_countries), upper, katakana, words, split, chunks,
                       tuple(chunk_located))
