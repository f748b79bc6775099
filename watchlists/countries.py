"""Country names as list publishers write them -> ISO 3166-1 alpha-2."""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

# Names the publishers use that ISO's own names and pycountry's fuzzy search do not resolve reliably.
_ALIASES = {
    "north korea": "KP", "korea, north": "KP", "democratic people's republic of korea": "KP", "dprk": "KP",
    "korea (democratic people's republic of)": "KP", "korea, democratic people's republic of": "KP",
    "south korea": "KR", "korea, south": "KR", "republic of korea": "KR", "korea": "KR",
    "iran": "IR", "islamic republic of iran": "IR", "iran (islamic republic of)": "IR",
    "russia": "RU", "russian federation": "RU", "the russian federation": "RU",
    "china": "CN", "people's republic of china": "CN", "people’s republic of china": "CN", "prc": "CN",
    "the people's republic of china": "CN", "china (people's republic of)": "CN",
    "hong kong": "HK", "hong kong sar": "HK", "hong kong, china": "HK", "macau": "MO", "macao": "MO",
    "taiwan": "TW", "taiwan, province of china": "TW", "syria": "SY", "syrian arab republic": "SY",
    "burma": "MM", "myanmar": "MM", "laos": "LA", "vietnam": "VN", "viet nam": "VN", "turkey": "TR",
    "türkiye": "TR", "turkiye": "TR", "czech republic": "CZ", "united kingdom": "GB", "uk": "GB",
    "united states": "US", "united states of america": "US", "usa": "US", "u.s.": "US",
    "democratic republic of the congo": "CD", "congo, democratic republic of the": "CD",
    "democratic republic of congo": "CD", "republic of the congo": "CG", "congo": "CG",
    "ivory coast": "CI", "cote d'ivoire": "CI", "côte d'ivoire": "CI", "palestinian": "PS",
    "palestine": "PS", "west bank": "PS", "gaza": "PS", "kosovo": "XK", "crimea": "UA",
    "united arab emirates": "AE", "uae": "AE", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ",
    "moldova": "MD", "libya": "LY", "belarus": "BY", "brunei": "BN", "cape verde": "CV",
    "the netherlands": "NL", "netherlands": "NL", "the bahamas": "BS", "the gambia": "GM",
    "micronesia": "FM", "st. kitts and nevis": "KN", "saint kitts and nevis": "KN",
    "islamic republic of afghanistan": "AF", "afghanistan": "AF", "islamic republic of pakistan": "PK",
    "republic of iraq": "IQ", "syrian arab republic (syria)": "SY", "lebanese republic": "LB", "republic of lebanon": "LB",
}


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("’", "'")).strip().casefold()


@lru_cache(maxsize=4096)
def to_iso2(name: str | None) -> str | None:
    """ISO alpha-2 for a country name or code; None when the name is not a country (e.g. 'unknown')."""
    if not name:
        return None
    key = _key(name)
    if not key:
        return None
    if key in _ALIASES:
        return _ALIASES[key]
    if len(key) == 2 and key.isalpha():
        c = pycountry.countries.get(alpha_2=key.upper())
        return c.alpha_2 if c else None
    if len(key) == 3 and key.isalpha():
        c = pycountry.countries.get(alpha_3=key.upper())
        if c:
            return c.alpha_2
    try:
        return pycountry.countries.lookup(name.strip()).alpha_2
    except LookupError:
        pass
    for part in re.split(r"[,(]", key):  # "Iran (Islamic Republic of)", "Hong Kong, China"
        part = part.strip(" )")
        if part in _ALIASES:
            return _ALIASES[part]
    return None


def countries_from(*names: str | None) -> tuple[str, ...]:
    out = []
    for n in names:
        code = to_iso2(n)
        if code and code not in out:
            out.append(code)
    return tuple(out)
