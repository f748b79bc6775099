"""Organisation vocabulary: abbreviations and translations folded to one canonical token, and the word classes the
structural rules need. Applied identically to list names and to observed strings."""

from __future__ import annotations

from functools import lru_cache

# Canonical token for each spelling: full words in several languages, plurals, Web of Science abbreviations.
_CANON_GROUPS = {
    "university": "university univ universitat universiteit universidad universidade universite "
                  "universita uniwersytet universitet universitatea egyetem yliopisto univers",
    # a word of its own ('Universities of Shandong' is a consortium's phrase, no university's name)
    "universities": "universities",
    "institute": "institute inst institutes institut instituto istituto instytut institutet institutul insititute",
    "technology": "technology technol technologies technological technologie technologique tecnologia "
                  "tecnologica technologii tech",
    "science": "science sciences sci scientific sciencies ciencias sciences scienze nauk wissenschaften",
    "engineering": "engineering engn eng engineer engineers ingenieria",
    "national": "national natl nat nacional nationale nazionale",
    "academy": "academy acad academia academie akademie akademiya",
    "polytechnic": "polytechnic polytechnical polytech polytechnique politecnico politecnica polytechnik poly",
    "aeronautics": "aeronautics aeronaut aeronautical aeronautic",
    "astronautics": "astronautics astronaut astronautical astronautic",
    "laboratory": "laboratory lab labs laboratories laboratorio laboratoire labor",
    "center": "center centre ctr centers centres centro zentrum",
    "department": "department dept departments departamento departement",
    "school": "school sch schools",
    "college": "college coll colleges",
    "hospital": "hospital hosp hospitals hopital ospedale",
    "medical": "medical med medicine medicina medizin",
    "research": "research res",
    "military": "military mil",
    "defense": "defense defence def",
    "chemistry": "chemistry chem chemical",
    "physics": "physics phys",
    "biology": "biology biol biological",
    "mathematics": "mathematics math maths",
    "information": "information informat info inf",
    "computer": "computer comput computing computation computational computers",
    "automation": "automation autom automatic",
    "telecommunication": "telecommunication telecommun telecommunications telecom",
    "electronics": "electronics electron electronic elect",
    "communication": "communication commun communications",
    "mechanics": "mechanics mech mechanical",
    "materials": "materials mat mater material",
    "environment": "environment environm environmental",
    "agriculture": "agriculture agr agric agricultural",
    "normal": "normal norm",
    "key": "key",
    "state": "state",
    "international": "international int intl",
    "corporation": "corporation corp",
    "group": "group grp",
    "people": "people peoples",
    "federal": "federal fed",
    "saint": "saint st",
    "ocean": "ocean oceanog",
    "naval": "naval navy",
}
CANON: dict[str, str] = {}
for canon, spellings in _CANON_GROUPS.items():
    for s in spellings.split():
        CANON.setdefault(s, canon)

# Ignored when comparing names: function words in the languages the lists and affiliations use.
STOPWORDS = frozenset("of the and for in at on de del des du la le les der die das und y e et da di do dos das "
                      "an a".split())

# Legal forms: optional at the end of a company name.
LEGAL_FORMS = frozenset("co ltd llc inc corporation company limited plc gmbh ag sa jsc ojsc pjsc cjsc oao ooo zao pvt "
                        "private fze fzco fzc llp bv nv srl sarl spa kk pte lp incorporated liability "
                        # Russian: АО, ОАО, ЗАО, ПАО, ООО, and written out
                        "ао оао зао пао ооо нао акционерное общество публичное открытое закрытое "
                        "ограниченнои ответственностью".split())

# Legal forms that Russian state institutions put before their name.
LEGAL_PREFIXES = frozenset("fsaei fsbei fsbi fsbsi fsi fgbou fgaou fgbun fgbu fsue fgup sbei "
                           "фгбу фгбун фгуп фгаоу фгбоу фгоу фгку фку ано ао оао зао пао".split())

# Words that name a unit of an organisation: a unit named before or after a listed name belongs to it.
UNIT_WORDS = frozenset("department school college faculty institute laboratory center division section unit hospital "
                       "clinic program programme group team office branch campus graduate key station base "
                       "observatory museum library affiliated".split())

# Words that head a research unit's own name ('Bhabha Atomic Research Centre'), and words that head the bodies such
# units belong to ('Department of Atomic Energy', 'Chinese Academy of Sciences').
RESEARCH_UNIT_HEADS = frozenset("institute laboratory center hospital observatory station base college school".split())
PARENT_HEADS = frozenset("academy ministry department corporation university group company agency commission "
                         "administration council government".split())

# Words of a street address after a name ('53 Leninskiy prospekt').
ADDRESS_WORDS = frozenset("street road rd avenue ave prospekt prospect ulitsa ul lane blvd boulevard str strasse "
                          "shosse pereulok naberezhnaya box po".split())

# Words that head an organisation's own name.
ORG_WORDS = frozenset("university academy corporation company ministry agency institute college school".split())

# Words that start a different, longer name when placed right before a listed one ("National Sun Yat-sen
# University" is not "Sun Yat-sen University").
BLOCKING_PREFIXES = frozenset("national state provincial municipal city shahid new north south east west northern "
                              "southern eastern western central northeast northwest southeast southwest northeastern "
                              "northwestern southeastern southwestern upper lower greater first second third fourth "
                              "fifth sixth seventh eighth ninth tenth people royal imperial federal open free "
                              "international joint sino".split())

# Parent organisations that may stand before a listed name without making a different one
# ("PLA Information Engineering University"; Russian universities' "National Research" status).
PARENT_PREFIXES = (("pla",), ("people", "liberation", "army"), ("chinese", "people", "liberation", "army"),
                   ("national", "research"))

# Connectors after a listed name that mean the name goes on ("... University of Medical Sciences").
CONTINUATIONS = frozenset("of for and in de del des du di da do y et und".split())

COUNTRY_NOISE = frozenset("p r pr prc peoples people republic rep s r".split())

# CJK: unit and role words that may follow a listed name; parent prefixes that may precede one.
CJK_UNIT_SUFFIXES = ("学院", "医院", "研究所", "研究院", "实验室", "重点实验室", "系", "中心", "校区", "分校", "分院",
                     "附属", "部", "所", "室", "处", "科", "院", "学部", "研究生院", "教授", "研究员", "客员教授",
                     "客員教授", "讲师", "博士", "学生", "团队", "课题组", "深圳", "威海", "珠海", "工厂", "公司", "站",
                     "基地", "集团")
CJK_PARENT_PREFIXES = ("中国人民解放军", "人民解放军", "解放军", "中国", "中华人民共和国")

# Pinyin words that mark an organisation name written in pinyin.
PINYIN_ORG_WORDS = frozenset("daxue xueyuan yanjiusuo yanjiuyuan yiyuan gongye keji zhongxin shiyanshi kexueyuan "
                             "yike gongsi jituan".split())


# Misspellings are read as these words only: long, frequent organisation words ('Univeristy', 'Technolgy',
# 'Insitute'). A word is read as a misspelling only when the registry barely knows it (see `canon`).
_SPELLED = tuple(sorted(w for w in CANON if len(w) >= 6 and w.isalpha()))


def canon(token: str) -> str:
    found = CANON.get(token)
    if found is not None:
        return found
    return _misspelled(token) if len(token) >= 7 and token.isalpha() and token.isascii() else token


@lru_cache(maxsize=100000)
def _misspelled(token: str) -> str:
    """'univeristy' -> 'university': one edit (two in long words) from an organisation word, same first letter, and a
    word that ROR's organisation names use in at most one country (a real word is used more widely)."""
    from rapidfuzz.distance import OSA

    from highfence.matching.resources import token_countries

    if token_countries().get(token, 0) > 1:
        return token
    limit = 2 if len(token) >= 10 else 1
    best = {CANON[w] for w in _SPELLED if w[0] == token[0] and abs(len(w) - len(token)) <= limit
            and OSA.distance(w, token, score_cutoff=limit) <= limit}
    return best.pop() if len(best) == 1 else token
