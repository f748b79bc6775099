"""Scoring one name variant against a parsed affiliation: align the name's tokens in the string's segments, apply
the structural rules, weigh context (country) and say why."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import OSA

from highfence.matching.model import ListedEntry, Variant
from highfence.matching.parse import Affiliation, Segment, is_noise
from highfence.matching.resources import cjk_name_countries, places, token_countries
from highfence.matching.rules import (cjk_prefix_rule, cjk_suffix_rule, eponym_prefix, pinyin_suffix_rule, prefix_rule,
                                      suffix_rule)
from highfence.matching.vocab import PINYIN_ORG_WORDS


@dataclass
class Hit:
    score: float
    where: str  # the part of the string that matched
    rules: list[str] = field(default_factory=list)


def _token_match(s: str, n: str) -> int:
    """0 exact, 1 one typo (long tokens only), -1 no match. A word that names an organisation or a place anywhere
    (known to ROR or GeoNames) is never read as a misspelling of another ('Nanchang' is not 'Nanhang')."""
    if s == n:
        return 0
    if (len(s) >= 5 and len(n) >= 5 and s[0] == n[0] and s.isalpha() and n.isalpha()
            and s not in token_countries() and s not in places()):
        limit = 2 if min(len(s), len(n)) >= 9 else 1
        if OSA.distance(s, n, score_cutoff=limit) <= limit:
            return 1
    return -1


def align(content: list[str], name: tuple[str, ...], fuzzy: bool = True) -> list[tuple[int, int, list[str]]]:
    """Every place the name's tokens occur in order, contiguously, in ``content``: (start, end, notes).
    Tokens may differ by one typo, and a word split or joined ('si chuan' / 'sichuan') still aligns."""
    out = []
    n = len(name)
    for start in range(len(content)):
        i, k, notes = start, 0, []
        while k < n and i < len(content):
            s, t = content[i], name[k]
            m = _token_match(s, t)
            if m == 0:
                i, k = i + 1, k + 1
            elif i + 1 < len(content) and s + content[i + 1] == t:
                notes.append(f"'{s} {content[i + 1]}' read as '{t}'")
                i, k = i + 2, k + 1
            elif k + 1 < n and t + name[k + 1] == s:
                notes.append(f"'{s}' read as '{t} {name[k + 1]}'")
                i, k = i + 1, k + 2
            elif m == 1 and fuzzy:
                notes.append(f"'{s}' read as '{t}' (spelling)")
                i, k = i + 1, k + 1
            else:
                break
        if k == n:
            out.append((start, i, notes))
    return out


def _phrase_in_window(window: tuple[Segment, ...] | list[Segment], tokens: tuple[str, ...], fuzzy: bool = True,
                      distinctive: bool = False, stray_comma: bool = False, company: bool = False) -> Hit | None:
    """Best acceptable occurrence of ``tokens`` in adjacent segments joined together."""
    if len(window) == 1:
        have = window[0].wordset
        missing = sum(1 for t in tokens if t not in have)
        if missing > (2 if fuzzy else 1) or (missing and not fuzzy and not any(len(t) <= 4 for t in have)):
            return None
    flat: list[str] = []  # all tokens of the window
    owner: list[int] = []  # segment of each flat token
    content: list[int] = []  # flat positions of content tokens
    for w, seg in enumerate(window):
        base = len(flat)
        flat.extend(seg.tokens)
        owner.extend([w] * len(seg.tokens))
        content.extend(base + i for i in seg.content)
    words = [flat[i] for i in content]
    best: Hit | None = None
    for start, end, notes in align(words, tokens, fuzzy):
        first, last = content[start], content[end - 1]
        if owner[first] != 0 or owner[last] != len(window) - 1:
            continue
        if stray_comma and (start != 0 or window[-1].location):
            continue  # read across a comma only from the start of a segment, never into a place
        seg_start = owner.index(0)
        seg_end = len(flat) - 1 - owner[::-1].index(len(window) - 1)
        ok_p, why_p = prefix_rule(flat[seg_start:first])
        penalty = 0
        if not ok_p and distinctive:
            ok_p, why_p = eponym_prefix(flat[seg_start:first], tokens)
            penalty = 3
        ok_s, why_s = suffix_rule(flat[last + 1:seg_end + 1], company)
        if not ok_s and distinctive:
            ok_s, why_s = _parent_acronym(flat[last + 1:seg_end + 1], window[-1].raw)
        if not (ok_p and ok_s):
            continue
        score = 100.0 - penalty - 5 * sum("spelling" in x for x in notes) - 2 * sum("spelling" not in x for x in notes)
        rules = notes + [r for r in (why_p, why_s) if r]
        hit = Hit(score, ", ".join(s.raw for s in window), rules)
        if best is None or hit.score > best.score:
            best = hit
    return best


@lru_cache(maxsize=100000)
def _names_a_country(tokens: tuple[str, ...]) -> bool:
    from highfence.matching.parse import country_of
    from highfence.matching.resources import DEMONYMS

    return any(t in DEMONYMS or (len(t) > 3 and country_of(t)) for t in tokens)


@lru_cache(maxsize=100000)
def _is_company(name: str) -> bool:
    from highfence.matching.parse import tokenize
    from highfence.matching.vocab import LEGAL_FORMS

    return any(t in LEGAL_FORMS for t in tokenize(name)[1:])


def _parent_acronym(suffix: list[str], raw: str) -> tuple[bool, str]:
    """'Институт ... им. В.А. Котельникова РАН', '... Institute of Automation CAS': one word in capitals after a
    distinctive name, which the registry knows as an organisation's acronym (the parent's)."""
    from highfence.matching.resources import registry_acronyms

    if len(suffix) != 1 or len(suffix[0]) < 2:
        return False, ""
    written = suffix[0].upper()
    if written not in raw.upper().split() or written not in raw or written not in registry_acronyms():
        return False, ""
    return True, f"a parent's acronym after it: '{written}'"


def _reordered(seg: Segment, tokens: tuple[str, ...], bag: tuple[str, ...]) -> Hit | None:
    if len(tokens) >= 4 and seg.bag == bag:
        return Hit(92.0, seg.raw, ["same words in another order"])
    return None


def _could_match(aff: Affiliation, v: Variant, fuzzy: bool) -> bool:
    """Cheap test before alignment: the name's words are all in the string, give or take a typo or a split word."""
    missing = sum(1 for t in set(v.tokens) if t not in aff.words)
    if missing == 0:
        return True
    return missing <= (2 if fuzzy else 1) and (fuzzy or aff.has_split_words)


def score_latin(aff: Affiliation, v: Variant) -> tuple[Hit | None, int]:
    """(best hit, chunk it was found in)."""
    best, best_chunk = None, -1
    if not _could_match(aff, v, len(v.tokens) >= 2 and not v.generic):
        return None, -1
    for c, segs in enumerate(aff.chunks):
        # the whole name, possibly across as many adjacent segments as it has comma-separated parts
        # typos are forgiven only in names of two or more words that are not common vocabulary
        fuzzy = len(v.tokens) >= 2 and not v.generic
        distinctive = fuzzy and len(v.parts) == 1
        company = _is_company(v.name)
        for seg in segs:
            hit = (_phrase_in_window((seg,), v.tokens, fuzzy, distinctive, company=company)
                   or _reordered(seg, v.tokens, v.bag))
            if hit and (best is None or hit.score > best.score):
                best, best_chunk = hit, c
        for k in range(2, max(len(v.parts), 2) + 1):
            for i in range(len(segs) - k + 1):
                if k > len(v.parts) and not (v.tokens[0] in segs[i].wordset and v.tokens[-1] in segs[i + 1].wordset):
                    continue  # a name read across a stray comma starts in the one segment and ends in the next
                hit = _phrase_in_window(segs[i:i + k], v.tokens, fuzzy, stray_comma=k > len(v.parts))
                if hit and k > len(v.parts):
                    # a one-part name across a comma ('Beijing, Institute of Technology'): a stray comma
                    hit.score -= 3
                    hit.rules.append("a comma inside the name read as a typo")
                if hit and (best is None or hit.score > best.score):
                    best, best_chunk = hit, c
        # a listed sub-unit ('Chinese Academy of Sciences, Institute of Physics'): every part, in any order
        if len(v.parts) > 1 and (best is None or best.score < 97):
            found = []
            for part in v.parts:
                hits = [h for s in segs if (h := _phrase_in_window([s], part, fuzzy))]
                if not hits:
                    break
                found.append(max(hits, key=lambda h: h.score))
            else:
                score = min(h.score for h in found) - 3
                if best is None or score > best.score:
                    best = Hit(score, "; ".join(h.where for h in found),
                               ["every part of the listed name is named"] + [r for h in found for r in h.rules])
                    best_chunk = c
    return best, best_chunk


def score_cjk(aff: Affiliation, v: Variant) -> tuple[Hit | None, int]:
    best, chunk = None, -1
    for seg in aff.segments:
        if not seg.cjk:
            continue
        for run in seg.cjk.split():
            start = run.find(v.cjk)
            while start >= 0:
                ok_p, why_p = cjk_prefix_rule(run[:start])
                ok_s, why_s = cjk_suffix_rule(run[start + len(v.cjk):])
                if ok_p and ok_s:
                    rules = ["Chinese/Japanese characters folded to one form (simplified, traditional, kanji)"]
                    rules += [r for r in (why_p, why_s) if r]
                    hit = Hit(100.0, seg.raw, rules)
                    if best is None or hit.score > best.score:
                        best, chunk = hit, seg.chunk
                start = run.find(v.cjk, start + 1)
    return best, chunk


def score_katakana(aff: Affiliation, v: Variant) -> tuple[Hit | None, int]:
    """'ハルビン工業大学': a Chinese place name in katakana, then the rest of the name in kanji. The katakana, read
    out, must sound like the pinyin of the listed name's first characters."""
    from rapidfuzz.fuzz import ratio

    from highfence.matching.cjk import KATAKANA_RUN, katakana_romaji, pinyin_key

    for seg in aff.segments:
        for run in seg.cjk.split():
            m = KATAKANA_RUN.match(run)
            if not m:
                continue
            kana, rest = m.group(0), run[m.end():]
            for cut in range(1, min(5, len(v.cjk) - 1)):
                head, tail = v.cjk[:cut], v.cjk[cut:]
                if len(tail) < 2 or not rest.startswith(tail):
                    continue
                sound, romaji = pinyin_key(head), katakana_romaji(kana)
                similarity = ratio(sound, romaji)
                ok_s, why_s = cjk_suffix_rule(rest[len(tail):])
                if sound and similarity >= 80 and ok_s:
                    rules = [f"katakana '{kana}' read as '{romaji}', close to the pinyin '{sound}' of '{head}' "
                             f"({similarity:.0f}%)"] + ([why_s] if why_s else [])
                    return Hit(90.0, seg.raw, rules), seg.chunk
    return None, -1


def score_pinyin(aff: Affiliation, v: Variant) -> tuple[Hit | None, int]:
    for seg in aff.segments:
        toks = [t for t in seg.tokens if not is_noise(t)]
        if not any(t in PINYIN_ORG_WORDS for t in toks):
            continue
        key = ""
        for j, t in enumerate(toks):
            key += t
            if key == v.pinyin:
                ok, why = pinyin_suffix_rule(toks[j + 1:])
                if ok:
                    return Hit(95.0, seg.raw, [f"pinyin of {v.cjk}"] + ([why] if why else [])), seg.chunk
            if len(key) >= len(v.pinyin):
                break
    return None, -1


def score_acronym(aff: Affiliation, v: Variant, entry: ListedEntry) -> tuple[Hit | None, int]:
    if v.acronym not in {t.replace(".", "") for t in aff.upper_tokens}:
        return None, -1
    for seg in aff.segments:
        if v.acronym in seg.raw.replace(".", "").split() or v.acronym in seg.raw.replace(".", ""):
            return Hit(80.0, seg.raw, [f"acronym '{v.acronym}' only"]), seg.chunk
    return None, -1


def score_variant(aff: Affiliation, v: Variant, entry: ListedEntry, extra_countries: frozenset[str] = frozenset()
                  ) -> Hit | None:
    if v.several:
        return None  # a name several organisations bear or contain: the string's other words must decide
    if v.acronym:
        hit, chunk = score_acronym(aff, v, entry)
    elif v.cjk:
        hit, chunk = score_cjk(aff, v)
        if hit is None and v.pinyin:
            hit, chunk = score_pinyin(aff, v)
        if hit is None and aff.has_katakana:
            hit, chunk = score_katakana(aff, v)
    else:
        hit, chunk = score_latin(aff, v)
    if hit is None:
        return None
    context = (aff.countries[chunk] if 0 <= chunk < len(aff.countries) else frozenset()) | extra_countries
    if not v.cjk and not v.acronym and _names_a_country(v.tokens):
        # 'Korea Computer Center': the country word is the name's own, not the string's context; only the places
        # named around it say where it is
        context = (aff.located[chunk] if 0 <= chunk < len(aff.located) else frozenset()) | extra_countries
    listed = set(entry.countries)
    if v.cjk and listed:
        # the same characters can name organisations in two countries: 東北大学 is Tohoku University (JP) and, in
        # simplified form, 东北大学 is Northeastern University (CN)
        elsewhere = cjk_name_countries().get(v.cjk, frozenset()) - listed
        if elsewhere and not (context & listed):
            hit.score = min(hit.score, 80.0)
            hit.rules.append(f"the same characters also name an organisation in {', '.join(sorted(elsewhere))} "
                             "(ROR): review")
    agrees = bool(context & listed)
    if v.acronym or v.generic:
        what = "acronym" if v.acronym else "a name this common"
        if context and listed and not agrees:
            return None
        if agrees and v.sole:
            hit.score = 90.0
            hit.rules.append(f"an acronym only this organisation bears in the registry (ROR), in a string of its "
                             f"country ({', '.join(sorted(context))})")
        elif agrees:
            hit.score = min(hit.score, 90.0 if v.generic and len(v.tokens) >= 2 else 80.0)
            hit.rules.append(f"{what} counts only with context: the string's country ({', '.join(sorted(context))}) "
                             f"agrees with the entry's")
        elif v.acronym or len(v.tokens) < 2:
            return None  # an acronym or a one-word common name with nothing around it says nothing
        else:
            hit.score = min(hit.score, 76.0)
            hit.rules.append(f"{what} alone identifies nothing: no country or other context in the string")
    elif context and listed and not agrees and not v.cjk:
        hit.score = min(hit.score, 80.0)
        hit.rules.append(f"country in the string ({', '.join(sorted(context))}) differs from the entry's "
                         f"({', '.join(sorted(listed))})")
    return hit
