"""Structural rules: when a listed name found inside a string really names that organisation.

A listed name must make up its segment, except for what may stand around an organisation's own name: a unit of it
before ('West China Hospital of', 'Institute of System Engineering'), a unit, campus or place after ('..., Shenzhen',
'... West China Second University Hospital'). Words that make a longer, different name ('National Sun Yat-sen
University', 'Shahid Beheshti University of Medical Sciences') reject the match."""

from __future__ import annotations

from highfence.matching.cjk import CJK_RUN
from highfence.matching.parse import country_of, is_noise, place_countries
from highfence.matching.resources import places
from highfence.matching.vocab import (ADDRESS_WORDS, BLOCKING_PREFIXES, CANON, CJK_PARENT_PREFIXES, CJK_UNIT_SUFFIXES,
                                      CONTINUATIONS, COUNTRY_NOISE, LEGAL_FORMS, LEGAL_PREFIXES, ORG_WORDS,
                                      PARENT_PREFIXES, PINYIN_ORG_WORDS, STOPWORDS, UNIT_WORDS)


def is_place(tokens: list[str]) -> bool:
    rest = [t for t in tokens if not is_noise(t) and t not in COUNTRY_NOISE and t not in STOPWORDS]
    if not rest:
        return True
    table = places()
    return " ".join(rest) in table or bool(place_countries(tuple(rest))) and all(
        t in table or country_of(t) for t in rest)


def strip_legal_prefix(tokens: list[str]) -> list[str]:
    """Russian state institutions put their legal form first: 'FSAEI of HE', 'FSBI'."""
    if tokens and tokens[0] in LEGAL_PREFIXES:
        rest = tokens[1:]
        if rest[:2] in (["of", "he"], ["of", "the"]):
            rest = rest[2:]
        return rest
    return tokens


def prefix_rule(prefix: list[str]) -> tuple[bool, str]:
    """(accepted, why) for the tokens before a listed name in its segment."""
    while prefix and prefix[0].isdigit():  # footnote markers
        prefix = prefix[1:]
    prefix = strip_legal_prefix(prefix)
    while prefix and prefix[-1] == "the":
        prefix = prefix[:-1]
    if not prefix:
        return True, ""
    text = " ".join(prefix)
    if all(len(t) == 1 and t.isalpha() for t in prefix):
        return True, f"initials before it: '{text}'"  # 'P. N. Lebedev Physical Institute
    for parent in PARENT_PREFIXES:
        if tuple(prefix[-len(parent):]) == parent:
            rest = prefix[:-len(parent)]
            ok, why = prefix_rule(rest) if rest else (True, "")
            return (True, f"parent named before it: '{text}'") if ok else (False, why)
    if prefix[-1] in BLOCKING_PREFIXES:
        return False, f"'{prefix[-1]}' before it makes a different name"
    has_unit = any(t in UNIT_WORDS for t in prefix)
    if prefix[-1] in ("of", "at", "in"):
        return (True, f"unit named before it: '{text}'") if has_unit else (
            False, f"'{text}' before it makes a different name")
    if has_unit:
        return True, f"unit named before it: '{text}'"
    return False, f"'{text}' before it makes a different name"


_CANONICAL = frozenset(CANON.values())


def proper_word(token: str) -> bool:
    """A word that is part of a proper name ('Bhabha', 'Kotelnikov'): no place, nationality or vocabulary word, and
    used in the organisation names of at most two countries."""
    from highfence.matching.resources import DEMONYMS, token_countries

    return (len(token) >= 3 and token.isalpha() and token not in places() and token not in DEMONYMS
            and token not in _CANONICAL and token not in STOPWORDS and token not in UNIT_WORDS
            and token not in ORG_WORDS and token_countries().get(token, 0) <= 2)


def eponym_prefix(prefix: list[str], name: tuple[str, ...]) -> tuple[bool, str]:
    """'Kotelnikov Institute of Radio-Engineering and Electronics': a research institute named with the person it is
    named after in front. One proper word (initials aside) before a name headed by a research unit's word; the
    caller allows it only for a name distinctive on its own, since 'Landau Institute for Theoretical Physics' is not
    every 'Institute for Theoretical Physics'."""
    words = [t for t in prefix if not (len(t) == 1 and t.isalpha())]
    if len(words) != 1 or not name or name[0] not in ("institute", "laboratory", "center", "observatory"):
        return False, ""
    w = words[0]
    if len(w) < 4 or w in BLOCKING_PREFIXES or not proper_word(w):
        return False, ""
    return True, f"the name of the person it is named after before it: '{' '.join(prefix)}'"


# 'named after' in Russian, written out or transliterated: 'Институт ... им. В.А. Котельникова', '... imeni Lomonosova'
HONORIFICS = frozenset(("imeni", "im", "имени", "им"))


def suffix_rule(suffix: list[str], company: bool = False) -> tuple[bool, str]:
    """(accepted, why) for the tokens after a listed name in its segment. ``company``: the listed name is a
    company's (it carries a legal form), so another legal form after it is the same company written otherwise."""
    while suffix and suffix[0] == "the":
        suffix = suffix[1:]
    if not suffix:
        return True, ""
    text = " ".join(suffix)
    if suffix[0] == "named" and len(suffix) > 1 and suffix[1] in ("after", "for"):
        return True, f"honorific after it: '{text}'"
    if suffix[0] in CONTINUATIONS:
        if suffix[0] == "and" and any(t in UNIT_WORDS or t in ORG_WORDS for t in suffix[1:]):
            return True, f"another unit or organisation follows: '{text}'"
        if suffix[0] in ("of", "in", "at") and len(suffix) > 1 and is_place(suffix[1:]):
            return True, f"branch or place after it: '{text}'"
        return False, f"'{text}' after it continues the name"
    if company and all(t in LEGAL_FORMS for t in suffix if t not in STOPWORDS):
        return True, f"legal form after it: '{text}'"  # 'Kalaye Electric Company' for 'Kalaye Electric Co.'
    if suffix[0] in HONORIFICS:
        return True, f"honorific after it: '{text}'"
    if is_place(suffix):
        return True, f"place after it: '{text}'"
    if any(t in ADDRESS_WORDS for t in suffix) or (suffix[0].isdigit() and len(suffix[0]) >= 4):
        return True, f"address after it: '{text}'"
    if any(t in UNIT_WORDS for t in suffix):
        return True, f"unit named after it: '{text}'"
    return False, f"'{text}' after it makes a different name"


def cjk_prefix_rule(prefix: str) -> tuple[bool, str]:
    if not prefix:
        return True, ""
    for parent in CJK_PARENT_PREFIXES:
        if prefix.endswith(parent) and (prefix == parent or not CJK_RUN.fullmatch(prefix[:-len(parent)] or "x")):
            return True, f"parent named before it: '{prefix}'"
    return False, f"'{prefix}' before it makes a different name"


def cjk_suffix_rule(suffix: str) -> tuple[bool, str]:
    if not suffix:
        return True, ""
    if suffix.endswith(CJK_UNIT_SUFFIXES) or suffix.startswith(CJK_UNIT_SUFFIXES):
        return True, f"unit or role named after it: '{suffix}'"
    return False, f"'{suffix}' after it makes a different name"


def pinyin_suffix_rule(suffix: list[str]) -> tuple[bool, str]:
    if not suffix or is_place(suffix):
        return True, ""
    if any(t in UNIT_WORDS or t in PINYIN_ORG_WORDS for t in suffix):
        return True, f"unit named after it: '{' '.join(suffix)}'"
    return False, f"'{' '.join(suffix)}' after it makes a different name"
