"""Recall by writing style on every listed organisation (run by hand): a stand-in for strings from other sources.

Each Latin-script primary name of the four evaluation lists is written the ways other sources write affiliations
(a department before it and the city and country after, all capitals, IEEE/Inspec abbreviations, Web of Science
abbreviations, glued words, HTML references, a trailing ISO code, a typo in a long word), and matched; the table
shows, per style, the share of entries found. No labelled string is used: the lists are the only input, so the
figure covers organisations the development set has no positive case for.

    .venv/bin/python bench/match_styles.py [--show STYLE]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from match_quality import load_entries  # noqa: E402

from highfence.matching.matcher import Matcher  # noqa: E402

IEEE = {"University": "Univ.", "Institute": "Inst.", "Technology": "Technol.", "Engineering": "Eng.",
        "Communication": "Commun.", "Communications": "Commun.", "Computer": "Comput.", "Information": "Inf.",
        "Electronics": "Electron.", "Electronic": "Electron.", "Science": "Sci.", "Sciences": "Sci.",
        "Academy": "Acad.", "National": "Nat.", "Research": "Res.", "Automation": "Autom.",
        "Telecommunications": "Telecommun.", "Laboratory": "Lab.", "Aeronautics": "Aeronaut.",
        "Astronautics": "Astronaut.", "Polytechnical": "Polytech.", "Polytechnic": "Polytech."}
WOS = {"University": "Univ", "Institute": "Inst", "Technology": "Technol", "Engineering": "Engn",
       "Science": "Sci", "Sciences": "Sci", "Academy": "Acad", "National": "Natl", "Research": "Res",
       "Laboratory": "Lab", "Center": "Ctr", "Centre": "Ctr", "Chinese": "Chinese", "Aeronautics": "Aeronaut",
       "Astronautics": "Astronaut", "Electronic": "Elect", "Information": "Informat", "Medical": "Med"}


def abbreviate(name: str, table: dict[str, str]) -> str:
    return re.sub(r"[A-Za-z]+", lambda m: table.get(m.group(0), m.group(0)), name).replace(" of ", " ").replace(
        " and ", " & ") if table is WOS else re.sub(r"[A-Za-z]+", lambda m: table.get(m.group(0), m.group(0)), name)


def typo(name: str, rng: random.Random) -> str:
    words = [w for w in re.findall(r"[A-Za-z]{8,}", name)]
    if not words:
        return name
    w = rng.choice(words)
    i = rng.randrange(2, len(w) - 2)
    return name.replace(w, w[:i] + w[i + 1] + w[i] + w[i + 2:], 1)


def styles(name: str, country: str, rng: random.Random) -> dict[str, str]:
    city = {"CN": "Beijing", "RU": "Moscow", "IR": "Tehran", "IN": "Mumbai", "PK": "Islamabad"}.get(country, "")
    where = ", ".join(x for x in (city, {"CN": "China", "RU": "Russia", "IR": "Iran", "IN": "India",
                                          "PK": "Pakistan"}.get(country, "")) if x)
    tail = f", {where}" if where else ""
    words = name.split()
    glued = " ".join(words[:-2] + [words[-2] + words[-1]]) if len(words) >= 3 and words[-2] in ("of", "and") \
        else name
    return {
        "as listed": name,
        "department, city, country": f"Department of Physics, {name}{tail}",
        "all capitals": f"DEPT OF PHYSICS, {name.upper()}{tail.upper()}",
        "IEEE abbreviations": f"Dept. of Phys., {abbreviate(name, IEEE)}{tail}",
        "WoS abbreviations": f"Dept Phys, {abbreviate(name, WOS)}{tail}",
        "glued words": f"School of Physics, {glued}{tail}",
        "HTML references": f"Department of Physics &amp; Astronomy, {name.replace(chr(39), '&#39;')}{tail}",
        "trailing ISO code": f"Lab of Optics, {name}, {city}, {country}" if city else name,
        "typo in a long word": f"Department of Physics, {typo(name, rng)}{tail}",
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", help="print the misses of this style")
    args = ap.parse_args()
    entries = load_entries()
    matcher = Matcher(entries)
    rng = random.Random(15)
    found: dict[str, list[int]] = {}
    misses: dict[str, list[str]] = {}
    for i, e in enumerate(entries):
        name = e.name.split(" (")[0].strip()
        if not name.isascii() or len(name.split()) < 2:
            continue
        country = (e.countries or ("",))[0]
        for style, text in styles(name, country, rng).items():
            hit = any(m.entry_id == e.entry_id and m.decision == "match" for m in matcher.match(text))
            found.setdefault(style, []).append(int(hit))
            if not hit:
                misses.setdefault(style, []).append(f"{e.entry_id}: {text}")
    base = found["as listed"]
    print(f"{'style':<28}{'entries':>8}{'found':>8}{'share':>8}{'of found as listed':>20}")
    for style, hits in found.items():
        both = sum(h for h, b in zip(hits, base) if b)
        print(f"{style:<28}{len(hits):>8}{sum(hits):>8}{sum(hits) / len(hits):>8.3f}{both / max(sum(base), 1):>20.3f}")
    if args.show:
        for line in misses.get(args.show, []):
            print(line)


if __name__ == "__main__":
    main()
