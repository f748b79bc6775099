"""Candidate retrieval: from an affiliation to the few name variants worth scoring, whatever the list size.

Latin-script names are reached through their rarest token (and its one-edit neighbours, so misspellings still
find them); CJK names through their first two characters; pinyin names through their joined key; acronyms
through the capitalised tokens of the string."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Iterable

from highfence.matching.cjk import has_cjk, pinyin_key, simplify, strip_legal_form
from highfence.matching.model import ListedEntry, Variant
from highfence.matching.parse import (Affiliation, content_indexes, country_of, is_location, is_noise, place_countries,
                                      segment_tokens, tokenize)
from highfence.matching.resources import (DEMONYMS, crosswalk, name_stats, places, registry_acronyms, ror_orgs,
                                          token_countries)
from highfence.matching.rules import proper_word
from highfence.matching.vocab import PINYIN_ORG_WORDS

GENERIC_COUNTRIES = 10  # a token used in organisation names of this many countries identifies nothing alone
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&.-]{1,11}$")
_PART_SPLIT = re.compile(r"\s*[,，]\s*|\s+[–—-]\s+")
_TRAILING_PLACE = re.compile(r"\s+(of|in|at)\s+([^,]+)$", re.I)
# a unit's own name starts at one of these words, after its parent's name: 'Chinese Academy of Sciences Institute of
# Computing Technology' is the institute of that academy
_UNIT_START = frozenset("institute laboratory center college school department hospital".split())


def _deletes(token: str) -> set[str]:
    return {token[:i] + token[i + 1:] for i in range(len(token))}


def is_generic(tokens: tuple[str, ...], entry_countries: Iterable[str]) -> bool:
    counts = token_countries()
    table = places()
    meaningful = [t for t in tokens if not is_noise(t)]
    if not meaningful:
        return True
    for t in meaningful:
        if t in DEMONYMS or t in table:
            return False  # a place or a nationality word ties the name to somewhere
        if counts.get(t, 0) < GENERIC_COUNTRIES:
            return False
    return True


_NAMED_AFTER = re.compile(r"\s+(named after|named for|im\.|imeni|им\.|имени)\s*.*$", re.I)
_RU_LEGAL_FORM = re.compile(r"^(?:Federal State|State|Federal)\s+(?:Budgetary|Autonomous|Unitary|Budget|Government)?\s*"
                            r"(?:Educational\s+|Scientific\s+)?(?:Institution|Enterprise|Establishment)"
                            r"(?:\s+of\s+(?:Higher\s+(?:Professional\s+)?Education|Science))?\s+", re.I)
_SURNAME = re.compile(r"\b[A-Z][a-z]{2,}\b|\b[А-ЯЁ][а-яё]{2,}\b")
_TITLES = frozenset("named after for academician academicians professor prof the of and".split())
_LEADING_ACRONYM = re.compile(r"^([A-Z][A-Z0-9&-]{1,7})\s+(?=\S+\s+\S+)")


def name_forms(name: str) -> list[tuple[str, str]]:
    """The forms a listed name is also written in: (form, how it was derived). Acronyms and native-script names in
    parentheses stand alone; 'named after ...' honorifics and a leading parent acronym ('AECC Beijing Institute of
    Aeronautical Materials') may be left out."""
    from highfence.watchlists.text import split_parentheses

    forms: list[tuple[str, str]] = []
    main, extra = split_parentheses(name)
    forms.append((main, ""))
    forms += [(x, "from parentheses") for x in extra]
    legal = _RU_LEGAL_FORM.match(main)
    if legal and len(main[legal.end():].split()) >= 2:
        # 'Federal State Budgetary Institution of Science Institute of ...': the legal form, written out, is optional
        forms.append((main[legal.end():], f"without '{legal.group(0).strip()}'"))
        main = main[legal.end():]
    head = main.split(",")[0]
    text = head if _NAMED_AFTER.search(head) else main
    honour = _NAMED_AFTER.search(text)
    cut = _NAMED_AFTER.sub("", text)
    if cut != main and len(cut.split()) >= 2:
        forms.append((cut, "without 'named after'"))
        # and with the surnames of those it is named after in front, as the institute is usually called
        # ('Shemyakin-Ovchinnikov Institute of Bioorganic Chemistry')
        names = [w for w in _SURNAME.findall(honour.group(0)) if w.lower() not in _TITLES] if honour else []
        if names and not has_cjk(main):
            forms.append((" ".join(names + [cut]), "with the names it is named after in front"))
    m = _TRAILING_PLACE.search(main)
    if m and not has_cjk(main):
        place = tokenize(m.group(2))
        if place and place_countries(place) and " ".join(place) in places():
            forms.append((main[: m.start()], f"without '{m.group(0).strip()}'"))
    if not has_cjk(main):
        forms += _inverted(main)
    parent_cut = None if has_cjk(main) or "," in main else _without_trailing_parent(main)
    if parent_cut:
        forms.append(parent_cut)
    m = _LEADING_ACRONYM.match(main)
    # only a parent's acronym before a name written in mixed case ('AECC Beijing Institute ...'), never a word of
    # a name written all in capitals ('WIN KEY LIMITED')
    if m and not has_cjk(main) and main[m.end():] != main[m.end():].upper() and len(main[m.end():].split()) >= 3:
        forms.append((main[m.end():], f"without the leading '{m.group(1)}'"))
    return forms


def _split_parent_unit(tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
    """('chinese','academy','science','institute','computing','technology') -> parent and unit parts, so the unit
    can also be found written first ('Institute of Computing Technology, Chinese Academy of Sciences')."""
    from highfence.matching.vocab import ORG_WORDS

    for i in range(2, len(tokens) - 1):
        if tokens[i] in _UNIT_START and any(t in ORG_WORDS for t in tokens[:i]) and tokens[i - 1] not in (
                "key", "state", "national", "research") and not tokens[i - 1].isdigit():
            return [tokens[:i], tokens[i:]]
    return [tokens]


_X_UNIVERSITY = re.compile(r"^([A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?) University$")
_UNIVERSITY_OF_X = re.compile(r"^University of ([A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?)$")


def _inverted(main: str) -> list[tuple[str, str]]:
    """'Tehran University' <-> 'University of Tehran': a university named by its city is written both ways."""
    for pattern, template in ((_X_UNIVERSITY, "University of {}"), (_UNIVERSITY_OF_X, "{} University")):
        m = pattern.match(main.strip())
        other = template.format(m.group(1)) if m else ""
        # never when the registry knows the other form as an organisation's name: the University of Jinan is
        # not Jinan University
        if m and " ".join(tokenize(m.group(1))) in places() and not _registry_name(other):
            return [(other, "written the other way round")]
    return []


def _registry_name(name: str) -> bool:
    tokens = tokenize(name)
    stat = name_stats().get(" ".join(tokens[i] for i in content_indexes(tokens)))
    return bool(stat and stat.exact)


def _only_country(name: str) -> bool:
    from highfence.matching.vocab import STOPWORDS

    toks = list(tokenize(name))
    while toks and toks[0] in STOPWORDS:
        toks.pop(0)
    return bool(toks) and country_of(" ".join(toks)) is not None


def _without_trailing_parent(main: str) -> tuple[str, str] | None:
    """'Kotelnikov Institute of Radioengineering and Electronics of the Russian Academy of Sciences' -> the
    institute's own name: a parent body after a last 'of the', when what stays is a proper name of its own."""
    from highfence.matching.vocab import PARENT_HEADS

    for m in reversed(list(re.finditer(r"\s+of\s+(?:the\s+)?", main, re.I))):  # the last 'of' first
        head, tail = main[: m.start()], main[m.end():]
        tail_tokens = tokenize(tail)
        if (tail_tokens and tail_tokens[0] not in PARENT_HEADS and any(t in PARENT_HEADS for t in tail_tokens)
                and any(proper_word(t) for t in tokenize(head)) and len(tokenize(head)) >= 2):
            return head, f"without its parent '{main[m.start():].strip()}'"
        if tail_tokens and tail_tokens[0] in PARENT_HEADS:
            break
    return None


def unit_part_forms(main: str) -> list[tuple[str, str]]:
    """'Bhabha Atomic Research Centre, Department of Atomic Energy' -> the unit part alone: a listed unit written
    with its parent after a comma is named by its own name as well. Only a part headed by a research unit's word, with
    its parent (a ministry, academy, corporation ... or an acronym) in another part; whether the unit part is
    distinctive enough to stand alone is decided like any other name ('Institute of Physics' is not)."""
    from highfence.matching.vocab import PARENT_HEADS, RESEARCH_UNIT_HEADS

    parts = [p.strip() for p in main.split(",") if p.strip()]
    if len(parts) < 2 or has_cjk(main):
        return []
    out = []
    for i, part in enumerate(parts):
        toks = tokenize(part)
        others = [tokenize(p) for j, p in enumerate(parts) if j != i]
        if len(toks) < 2 or not any(t in RESEARCH_UNIT_HEADS for t in toks):
            continue
        if any(t in PARENT_HEADS for t in toks):
            continue  # 'University of X Institute': the part carries its own parent
        if not any(proper_word(t) for t in toks):
            continue  # 'Shenzhen Research Institute', 'Institute of Bioengineering': many parents have one
        if all(any(t in PARENT_HEADS for t in o) or _ACRONYM.match(p.replace(" ", ""))
               for o, p in zip(others, [p for j, p in enumerate(parts) if j != i])):
            out.append((part, "its unit part, without its parent"))
    return out


def variant_from_name(entry_index: int, entry: ListedEntry, name: str, origin: str) -> list[Variant]:
    out = []
    forms = name_forms(name.strip())
    forms += [f for main, _ in forms[:1] for f in unit_part_forms(main)]
    for form, how in forms:
        v = _variant(entry_index, entry, form, origin + (f", {how}" if how else ""))
        # a shortened form must still identify something on its own ('University of Tehran' is not 'University')
        if v and not (how and not v.cjk and not v.acronym and (v.generic or len(v.tokens) < 2)):
            out.append(v)
    return out


def _variant(entry_index: int, entry: ListedEntry, name: str, origin: str) -> Variant | None:
    from highfence.matching.vocab import LEGAL_FORMS, RESEARCH_UNIT_HEADS

    name = name.strip()
    if not name:
        return None
    if has_cjk(name):
        cjk = strip_legal_form(re.sub(r"\s+", "", simplify(name)))
        if len(cjk) < 4:  # '中國', '会社': too short to name an organisation on its own
            return None
        return Variant(entry_index, name, origin, (), (), False, cjk=cjk, pinyin=pinyin_key(cjk))
    compact = name.replace(" ", "")
    if _ACRONYM.match(compact) and " " not in name:
        acronym = compact.replace(".", "").upper()
        # an acronym ROR records for this organisation and for no other family in the registry
        sole = origin.startswith("ror acronym") and registry_acronyms().get(acronym) == 1
        return Variant(entry_index, name, origin, (), (), True, acronym=acronym, sole=sole)
    parts = []
    for raw_part in _PART_SPLIT.split(name):
        toks = tokenize(raw_part)
        content = tuple(toks[i] for i in content_indexes(toks))
        if content:
            parts.append(content)
    # Legal forms written as their own part ("DES International, Co., Ltd.") are not a part to look for.
    parts = [p for p in parts if not all(t in LEGAL_FORMS for t in p)] or parts
    if len(parts) == 1:
        parts = _split_parent_unit(parts[0])
    tokens = tuple(t for p in parts for t in p)
    if tokens and all(t in LEGAL_FORMS for t in tokens):
        return None  # 'Акционерное общество', 'Co., Ltd.': a legal form names no one
    if not tokens or is_location(tokens) or _only_country(name):
        return None  # a place or a country ('of the Islamic Republic of Iran') names no organisation
    generic = is_generic(tokens, entry.countries) or (len(tokens) == 1 and tokens[0] in token_countries())
    stat = name_stats().get(" ".join(tokens))
    several = bool(stat and stat.several)
    if generic and stat and stat.unique and len(tokens) >= 3 and tokens[0] not in RESEARCH_UNIT_HEADS:
        # common words, but a whole name only one organisation in the registry bears ('Air Force Engineering
        # University'): distinctive. Not a unit named for its subject ('Institute of Applied Physics'): those recur
        # in every country, whatever a registry subset says.
        generic = False
    bag = tuple(sorted(t for t in tokens if not is_noise(t) or t[0].isdigit()))
    return Variant(entry_index, name, origin, tuple(parts), tokens, generic, bag=bag, several=several)


class NameIndex:
    def __init__(self, entries: Iterable[ListedEntry], *, use_crosswalk: bool = True,
                 ror_records: dict[str, dict] | None = None):
        self._ror_records = ror_records
        self.entries: list[ListedEntry] = list(entries)
        self.variants: list[Variant] = []
        self.ror_links: dict[int, list[tuple[str, str]]] = defaultdict(list)  # entry -> [(ror_id, relation)]
        seen: set[tuple[int, str]] = set()

        def add(i: int, entry: ListedEntry, name: str, origin: str) -> None:
            key = (i, name.casefold().strip())
            if key in seen:
                return
            seen.add(key)
            self.variants.extend(variant_from_name(i, entry, name, origin))

        for i, e in enumerate(self.entries):
            add(i, e, e.name, "primary")
            for a in e.aliases:
                add(i, e, a, "alias")
        if use_crosswalk:
            self._enrich_from_ror(add)
        self._pool_same_organisation(add)
        self._mark_ambiguous()
        self._build()
        self.short_heads = self._short_heads()

    def _mark_ambiguous(self) -> None:
        """An alias that the registry says may mean several organisations ('National Research University') never
        matches alone, whichever list or registry record it came from. A list's own primary name is what the list
        says the organisation is called, and stays."""
        from dataclasses import replace

        from highfence.matching.normalize import fold

        from highfence.watchlists.text import split_parentheses

        primaries = {fold(e.name) for e in self.entries} | {fold(split_parentheses(e.name)[0]) for e in self.entries}
        self.variants = [replace(v, several=False) if v.several and (
            v.origin.startswith("primary") or fold(v.name) in primaries) else v for v in self.variants]

    def _short_heads(self) -> dict[str, tuple[str, frozenset[str]]]:
        """'beihang' -> ('Beihang University', {'CN'}): the first word of a listed two-word university name, when
        that word names nothing else (no place, nationality or organisation word, used in one country's organisation
        names only). Units are written with it: 'Beihang Hangzhou Innovation Institute'."""
        from highfence.matching.vocab import ORG_WORDS, UNIT_WORDS

        table, counts = places(), token_countries()
        names: dict[str, set[str]] = defaultdict(set)
        countries: dict[str, set[str]] = defaultdict(set)
        for v in self.variants:
            if v.cjk or v.acronym or v.generic or len(v.tokens) != 2 or v.tokens[1] != "university":
                continue
            head = v.tokens[0]
            if (len(head) < 4 or is_noise(head) or head in table or head in DEMONYMS or head in ORG_WORDS
                    or head in UNIT_WORDS or counts.get(head, 0) > 1):
                continue
            names[head].add(v.name)
            countries[head].update(self.entries[v.entry].countries)
        return {head: (sorted(found)[0], frozenset(countries[head])) for head, found in names.items()
                if len({n.casefold() for n in found}) == 1}

    def _pool_same_organisation(self, add) -> None:
        """Entries on different lists that denote the same organisation (same primary name, a primary name printed
        as another's alias, or the same reviewed ROR id) take each other's names, so a native-script alias printed
        by one list serves all. A list never lists one organisation twice: a link that would put two entries of
        the same list together (a parent whose aliases name its separately listed institutes) is not made."""
        parent = list(range(len(self.entries)))
        lists_of = [{e.list_id} for e in self.entries]

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def union(a: int, b: int) -> None:
            ra, rb = find(a), find(b)
            if ra != rb and not (lists_of[ra] & lists_of[rb]):
                parent[rb] = ra
                lists_of[ra] |= lists_of[rb]

        def key(v: Variant, ordered: bool) -> tuple | None:
            if v.acronym or v.generic or (not v.cjk and len(v.tokens) < 2):
                return None
            if v.cjk:
                return ("cjk", v.cjk)
            return ("latin", v.tokens if ordered else tuple(sorted(v.tokens)))

        def link(variants: list[Variant], ordered: bool) -> None:
            owner: dict[tuple, int] = {}
            for v in variants:
                k = key(v, ordered)
                if k is None:
                    continue
                for c in self.entries[v.entry].countries or ("",):
                    other = owner.setdefault((k, c), v.entry)
                    if other != v.entry:
                        union(other, v.entry)

        primaries = [v for v in self.variants if v.origin == "primary"]
        link(primaries, ordered=False)  # the same name on two lists, words in any order
        by_ror: dict[str, int] = {}
        for i, rels in sorted(self.ror_links.items()):
            for ror_id, relation in rels:
                if relation == "same":
                    union(by_ror.setdefault(ror_id, i), i)
        link(primaries + [v for v in self.variants if v.origin == "alias"], ordered=True)

        groups: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.entries)):
            groups[find(i)].append(i)
        self.group_of = [find(i) for i in range(len(self.entries))]
        self.groups = dict(groups)
        names_of: dict[int, list[str]] = defaultdict(list)
        for v in self.variants:
            if v.origin.startswith(("primary", "alias")) and v.name not in names_of[v.entry]:
                names_of[v.entry].append(v.name)
        for members in groups.values():
            for i in members:
                for j in members:
                    if i != j:
                        src = self.entries[j]
                        for name in names_of[j]:
                            add(i, self.entries[i], name, f"same organisation as {src.list_id} {src.entry_id}")

    def prefilter(self, entries: set[int]):
        """A cheap test on the raw string, true for every string whose candidates can include a name of these
        entries: retrieval reaches a Latin name only through its key token(s) (exact, joined from two words, or one
        edit away), a CJK name only in CJK text, an acronym only in capitals. A delta screen uses it to skip
        parsing strings that cannot concern what changed; a true answer still goes through retrieval and scoring."""
        keys: set[str] = set()
        pair_keys: list[tuple[str, ...]] = []
        acronyms: set[str] = set()
        pinyin = cjk = False
        for vi, v in enumerate(self.variants):
            if v.entry not in entries:
                continue
            if v.acronym:
                acronyms.add(v.acronym)
            elif v.cjk:
                cjk, pinyin = True, pinyin or bool(v.pinyin)
            elif vi in self.keys_of:
                k = self.keys_of[vi]
                if len(k) == 1:
                    keys.add(k[0])
                else:
                    pair_keys.append(k)
        # a unit written with its university's short name reaches the university's names through the short name
        names = {v.name.casefold() for v in self.variants if v.entry in entries}
        keys |= {head for head, (full, _) in self.short_heads.items() if full.casefold() in names}
        near = set(keys) | {d for k in keys if len(k) >= 5 for d in _deletes(k)}
        token_hits: dict[str, bool] = {}

        def token_hit(t: str) -> bool:
            hit = token_hits.get(t)
            if hit is None:
                hit = t in keys or (len(t) >= 5 and (t in near or any(d in near for d in _deletes(t))))
                token_hits[t] = hit
            return hit

        def may_match(text: str) -> bool:
            if cjk and has_cjk(text):
                return True
            if acronyms and any(a in text for a in acronyms):
                return True
            for toks in segment_tokens(text):
                if pinyin and any(t in PINYIN_ORG_WORDS for t in toks):
                    return True
                if pair_keys and any(all(t in toks for t in k) for k in pair_keys):
                    return True
                for i, t in enumerate(toks):
                    if token_hit(t) or (i + 1 < len(toks) and t + toks[i + 1] in keys):
                        return True
            return False

        return may_match

    def with_twins(self, entries: set[int]) -> set[int]:
        out = set(entries)
        for i in entries:
            out.update(self.groups.get(self.group_of[i], ()))
        return out

    def _enrich_from_ror(self, add) -> None:
        """Entries the reviewed crosswalk declares the same as a ROR organisation take its names, and the full names
        of its ROR family (matching/ror_family.py): its units at any depth, the organisations it continues
        (predecessors) and, once it has closed, its successors. An entry whose ROR organisation is part of it
        (sub_unit_of_listed) takes that unit's family the same way. An entry that is itself part of the ROR
        organisation (listed_is_sub_unit) takes nothing: a parent's names, or its other units', do not name the
        listed unit. A unit's acronym, a name of common words only ('Institute of Physics') and a unit run jointly
        with an organisation outside the family identify nothing without their parent and are left out."""
        from highfence.matching.normalize import fold
        from highfence.matching.resources import ror_family
        from highfence.matching.ror_family import FamilyMember
        from highfence.matching.vocab import BLOCKING_PREFIXES, CJK_PARENT_PREFIXES, ORG_WORDS, UNIT_WORDS
        from highfence.watchlists.text import split_parentheses

        by_name: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, e in enumerate(self.entries):
            for n in (e.name, *e.aliases):
                for c in (e.countries or ("",)):
                    by_name[(fold(n), c)].append(i)
        orgs = {**ror_orgs(), **(self._ror_records or {})}  # the store's ROR data, when loaded, is the newer
        shipped = ror_family()

        def members(root: str) -> list[FamilyMember]:
            # the store's family, recomputed from the whole dump by 'highfence ror load', is the newer
            stored = (self._ror_records or {}).get(root, {}).get("family")
            if stored is None:
                return shipped.get(root, [])
            return [m if isinstance(m, FamilyMember) else FamilyMember.from_json(m) for m in stored]

        def short(ror_id: str) -> str:
            return ror_id.rsplit("/", 1)[-1]

        def identifies_alone(v: Variant) -> bool:
            if v.acronym or v.generic:
                return False
            if v.cjk:
                return True
            # 'State Key Laboratory of Proteomics': a programme's designation and a field of study, borne by a
            # unit of many hosts; what is left after the designation must name something ('Kirov ... Academy')
            rest = [t for t in v.tokens if t not in UNIT_WORDS and t not in ORG_WORDS and t not in BLOCKING_PREFIXES
                    and not is_noise(t)]
            table = places()
            return len(rest) >= 2 or any(t in table or t in DEMONYMS for t in rest)

        non_latin = re.compile(r"[^\x00-\u024f\u1e00-\u1eff\u2000-\u206f]")  # beyond Latin letters, punctuation

        def latin(name: str) -> bool:
            return not non_latin.search(name)

        def label_identifies(i: int, m: FamilyMember, origin: str) -> bool:
            for n in m.names:
                if latin(n.value) and not n.is_acronym and not {"label", "ror_display"}.isdisjoint(n.types):
                    v = _variant(i, self.entries[i], split_parentheses(n.value)[0], origin)
                    if v and identifies_alone(v):
                        return True
            return False

        def add_full_name(i: int, name: str, origin: str, latin_identifies: bool) -> None:
            # word statistics are Latin-script: 'Институт прикладной физики', 'دانشکده پزشکی', '物理学院' look rare
            # there, so a unit's native-script name counts only when its Latin name identifies it, or when it names
            # its country as the Latin name does not ('中国人民解放军军事医学科学院', 'Academy of Military Medical Sciences')
            if not latin(name) and not latin_identifies and not name.startswith(CJK_PARENT_PREFIXES):
                return
            main, extra = split_parentheses(name)
            for form in (main, *extra):
                v = _variant(i, self.entries[i], form, origin)
                if v is None or not identifies_alone(v):
                    continue  # not offered to add() at all, so the name stays open to the entry's other sources
                before = len(self.variants)
                add(i, self.entries[i], form, origin)
                # a unit's name as ROR writes it, never shortened: 'National Supercomputing Center in <city>' without
                # its city is every such centre
                self.variants[before:] = [v for v in self.variants[before:]
                                          if v.origin == origin and identifies_alone(v)]

        for row in crosswalk():
            for i in set(by_name.get((fold(row.entry_name), row.country), ())):
                self.ror_links[i].append((row.ror_id, row.relation))
                if row.relation == "listed_is_sub_unit":
                    continue
                root = short(row.ror_id)
                if row.relation == "same" and row.ror_id in orgs:
                    for n in orgs[row.ror_id]["names"]:
                        kind = "acronym" if "acronym" in n["types"] else "label" if "label" in n["types"] else "alias"
                        add(i, self.entries[i], n["value"], f"ror {kind} ({root})")
                fam = members(row.ror_id)
                closed = any(m.relation == "self" and m.status in ("inactive", "withdrawn") for m in fam)
                kin = {m.ror_id for m in fam} | {row.ror_id}
                for m in fam:
                    if m.status == "withdrawn" and m.relation != "self":
                        continue  # a withdrawn record was a duplicate or an error
                    if m.relation == "descendant" and not set(m.parents) <= kin:
                        continue  # a unit run jointly with an organisation outside the family is not its own
                    if m.relation == "self":
                        if row.relation != "sub_unit_of_listed":
                            continue  # a 'same' organisation's own names were added above
                        origin = f"ror sub-unit ({root})"
                    elif m.relation == "descendant":
                        origin = f"ror sub-unit ({short(m.ror_id)}) of ({root})"
                    elif m.relation == "predecessor":
                        origin = f"ror former name ({short(m.ror_id)}) of ({root})"
                    elif m.relation == "successor" and closed and row.relation == "same":
                        origin = f"ror successor ({short(m.ror_id)}) of ({root})"
                    else:
                        continue
                    # the member's own ROR id links exactly too (an OpenAlex institution with that id)
                    self.ror_links[i].append((m.ror_id, "ror_former" if m.relation in ("predecessor", "successor")
                                              else "ror_unit"))
                    known = label_identifies(i, m, origin)
                    for n in m.names:
                        if not n.is_acronym:
                            add_full_name(i, n.value, origin, known)

    def _build(self) -> None:
        freq = Counter(t for v in self.variants for t in set(v.tokens))
        counts = token_countries()
        self.by_anchor: dict[str, list[int]] = defaultdict(list)
        self.by_cjk: dict[str, list[int]] = defaultdict(list)
        self.by_pinyin: dict[str, list[int]] = defaultdict(list)
        self.by_acronym: dict[str, list[int]] = defaultdict(list)
        self.by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.keys_of: dict[int, tuple[str, ...]] = {}  # the token(s) retrieval reaches each Latin variant by
        anchors: set[str] = set()
        for vi, v in enumerate(self.variants):
            if v.acronym:
                self.by_acronym[v.acronym].append(vi)
            elif v.cjk:
                self.by_cjk[v.cjk[:2]].append(vi)
                if len(v.pinyin) >= 6:
                    self.by_pinyin[v.pinyin].append(vi)
            elif v.generic and any(len(p) >= 2 for p in v.parts):
                # common words only: reached through their rarest adjacent pair, not through a word that is in
                # every other affiliation string ('medical', 'institute')
                pairs = [(a, b) for p in v.parts for a, b in zip(p, p[1:])]
                pair = min(pairs, key=lambda ab: (freq[ab[0]] + freq[ab[1]], ab))
                self.by_pair[pair].append(vi)
                self.keys_of[vi] = pair
            elif v.tokens:
                # rarest on the lists, then rarest in the world's organisation names, then longest
                anchor = min(v.tokens, key=lambda t: (is_noise(t), freq[t], counts.get(t, 0), -len(t)))
                self.by_anchor[anchor].append(vi)
                self.keys_of[vi] = (anchor,)
                anchors.add(anchor)
        self.deletes: dict[str, set[str]] = defaultdict(set)
        for a in anchors:
            if len(a) >= 5:
                for d in _deletes(a):
                    self.deletes[d].add(a)
        self.max_pinyin = max((len(k) for k in self.by_pinyin), default=0)
        self.cjk_variants = [vi for vi, v in enumerate(self.variants) if v.cjk]
        self._known = token_countries()
        self._start_memo()

    def _start_memo(self) -> None:
        self._near = lru_cache(maxsize=200000)(self._near_uncached)

    def __getstate__(self) -> dict:
        # The memo wraps a bound method, which pickle cannot take; an index read back (a saved matcher) starts anew.
        state = dict(self.__dict__)
        del state["_near"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._start_memo()

    def _near_uncached(self, token: str) -> tuple[str, ...]:
        """Anchors one edit away (substitution, insertion, deletion, transposition) from a token. A word that is
        itself a real organisation or place word is taken as written, as the scorer does."""
        if len(token) < 5 or not token.isalpha() or token in self._known or token in places():
            return ()
        found = set(self.deletes.get(token, ()))
        for d in _deletes(token):
            if d in self.by_anchor:
                found.add(d)
            found |= self.deletes.get(d, set())
        found.discard(token)
        return tuple(a for a in found if a[0] == token[0])

    def candidates(self, aff: Affiliation) -> set[int]:
        out: set[int] = set()
        for seg in aff.segments:
            toks = seg.tokens
            for i, t in enumerate(toks):
                hit = self.by_anchor.get(t)
                if hit:
                    out.update(hit)
                elif len(t) >= 5:
                    for a in self._near(t):
                        out.update(self.by_anchor[a])
                if i + 1 < len(toks):
                    joined = self.by_anchor.get(t + toks[i + 1])  # 'si chuan' -> 'sichuan'
                    if joined:
                        out.update(joined)
            if self.by_pair:
                words = seg.words
                for pair in zip(words, words[1:]):
                    hit = self.by_pair.get(pair)
                    if hit:
                        out.update(hit)
            if seg.cjk:
                text = seg.cjk.replace(" ", "")
                for i in range(len(text) - 1):
                    hit = self.by_cjk.get(text[i:i + 2])
                    if hit:
                        out.update(hit)
            if self.by_pinyin and any(t in PINYIN_ORG_WORDS for t in toks):
                for key in _joined_windows(toks, self.max_pinyin):
                    hit = self.by_pinyin.get(key)
                    if hit:
                        out.update(hit)
        if aff.has_katakana:  # a katakana place name hides the first characters: try every CJK name
            out.update(self.cjk_variants)
        for token in aff.upper_tokens:
            hit = self.by_acronym.get(token.replace(".", ""))
            if hit:
                out.update(hit)
        return out


def _joined_windows(tokens: tuple[str, ...], max_len: int):
    for i in range(len(tokens)):
        key = ""
        for j in range(i, len(tokens)):
            key += tokens[j]
            if len(key) > max_len:
                break
            yield key
