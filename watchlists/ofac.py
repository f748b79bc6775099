"""OFAC legacy CSV sets: SDN (sdn/add/alt/sdn_comments.csv) and consolidated non-SDN (cons_prim/add/alt/comments.csv).

No header, `-0-` for null. PATH may be the folder or the main file with its siblings beside it."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from highfence.watchlists.countries import countries_from
from highfence.watchlists.model import ListEntry, ListFormatError, ParsedList
from highfence.watchlists.readers import csv_rows
from highfence.watchlists.text import clean, dedupe

SDN_URL = "https://sanctionslist.ofac.treas.gov/Home/SdnList"
CONS_URL = "https://sanctionslist.ofac.treas.gov/Home/ConsolidatedList"
_KIND = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft", "": "organization"}

# (main, addresses, aliases, comments) file names of each set.
SETS = {
    "sdn": ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"),
    "cons": ("cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv"),
}


def files_for(path: Path) -> dict[str, Path]:
    """The files of the set at PATH (a folder or its main file), by role. Missing optional siblings are allowed
    only for comments; a main file without its alias and address files is refused."""
    folder = path if path.is_dir() else path.parent
    listing = {p.name.lower(): p for p in folder.iterdir()} if folder.is_dir() else {}
    for kind, names in SETS.items():
        if names[0] in listing and (path.is_dir() or path.name.lower() == names[0]):
            roles = dict(zip(("main", "add", "alt", "comments"), names))
            found = {role: listing[name] for role, name in roles.items() if name in listing}
            missing = [roles[r] for r in ("add", "alt") if r not in found]
            if missing:
                raise ListFormatError(f"OFAC {kind} set incomplete: {', '.join(missing)} not beside it", file=str(path))
            found["kind"] = Path(kind)
            return found
    raise ListFormatError("not an OFAC CSV set: expected sdn.csv or cons_prim.csv (with alt/add files beside it)",
                          file=str(path))


def parse(path: Path, list_id: str) -> ParsedList:
    files = files_for(path)
    set_kind = files.pop("kind").name
    what = "OFAC legacy CSV"
    _, main = csv_rows(files["main"], what=what, header=False, width=12)
    _, adds = csv_rows(files["add"], what=what, header=False, width=6)
    _, alts = csv_rows(files["alt"], what=what, header=False, width=5)
    comments = csv_rows(files["comments"], what=what, header=False, width=2)[1] if "comments" in files else []

    addresses: dict[str, list[str]] = defaultdict(list)
    address_countries: dict[str, list[str]] = defaultdict(list)
    for line, f in adds:
        ent = f[0].strip()
        parts = [clean(x) for x in f[2:5]]
        text = ", ".join(p for p in parts if p)
        if text:
            addresses[ent].append(text)
        address_countries[ent].append(clean(f[4]))
    aliases: dict[str, list[dict]] = defaultdict(list)
    for line, f in alts:
        if clean(f[3]):
            aliases[f[0].strip()].append({"type": clean(f[2]), "name": clean(f[3]), "remarks": clean(f[4])})
    remarks_more: dict[str, str] = defaultdict(str)
    for line, f in comments:
        remarks_more[f[0].strip()] += f[1]

    entries, seen = [], set()
    for line, f in main:
        ent = f[0].strip()
        if not ent.isdigit():
            raise ListFormatError(f"entity number must be a number, got {ent!r}", file=str(files["main"]),
                                  row=line, field="ent_num")
        if ent in seen:
            raise ListFormatError(f"entity number {ent} repeated", file=str(files["main"]), row=line, field="ent_num")
        seen.add(ent)
        name = clean(f[1])
        if not name:
            raise ListFormatError("empty name", file=str(files["main"]), row=line, field="SDN_Name")
        sdn_type = clean(f[2]).casefold()
        programs = [p.strip(" []") for p in clean(f[3]).split("] [")]
        remarks = clean(f[11]) + remarks_more.get(ent, "")
        raw = {
            "ent_num": ent, "name": name, "type": clean(f[2]), "program": clean(f[3]), "title": clean(f[4]),
            "call_sign": clean(f[5]), "vessel_type": clean(f[6]), "tonnage": clean(f[7]), "grt": clean(f[8]),
            "vessel_flag": clean(f[9]), "vessel_owner": clean(f[10]), "remarks": remarks,
            "aliases": aliases.get(ent, []), "addresses": addresses.get(ent, []),
        }
        entries.append(ListEntry(
            list_id=list_id,
            entry_id=ent,
            kind=_KIND.get(sdn_type, "other"),
            name=name,
            # Every alt row is an alias in OFAC's own count; none are merged away.
            aliases=tuple(a["name"] for a in aliases.get(ent, [])),
            countries=countries_from(*address_countries.get(ent, [])),
            addresses=tuple(dedupe(addresses.get(ent, []))),
            programs=tuple(p for p in programs if p),
            source_url=SDN_URL if set_kind == "sdn" else CONS_URL,
            raw=raw,
        ))
    return ParsedList(list_id, f"ofac-{set_kind}-csv", tuple(entries),
                      source_url=SDN_URL if set_kind == "sdn" else CONS_URL)


def source_files(path: Path) -> list[Path]:
    """Every file whose content makes up the snapshot (for its sha256)."""
    files = files_for(path)
    files.pop("kind")
    return sorted(files.values())
