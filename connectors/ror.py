"""ROR (v2): organisation by id, search, affiliation matching; and the data dump (Zenodo JSON, or JSON lines)."""

from __future__ import annotations

import gzip
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Iterator

from highfence.connectors.http import Fetched, HttpClient
from highfence.errors import ConfigError, InputError

_ROR = re.compile(r"^(?:https?://ror\.org/)?(0[a-z0-9]{6}\d{2})$")


def ror_id(value: str) -> str:
    m = _ROR.match((value or "").strip())
    if not m:
        raise InputError(f"not a ROR id: {value!r}")
    return f"https://ror.org/{m.group(1)}"


class Ror:
    """ROR's v2 API (v1 is retired). ``client_id``, when configured, is sent as the ``Client-Id`` header: ROR then
    allows 2,000 requests per 5 minutes instead of 50."""

    def __init__(self, http: HttpClient, base_url: str, client_id: str = ""):
        self.http, self.base = http, base_url.rstrip("/")
        if re.search(r"/v1$", self.base):
            raise ConfigError(f"sources.ror.url is {base_url}: ROR's v1 API is retired, use the v2 one "
                              f"(https://api.ror.org/v2)")
        self.headers = {"Client-Id": client_id} if client_id else None

    def _fetch(self, path: str, params: dict | None = None) -> Fetched:
        return self.http.fetch(f"{self.base}{path}", params, headers=self.headers)

    def organization(self, ident: str) -> tuple[dict, Fetched]:
        got = self._fetch(f"/organizations/{ror_id(ident).rsplit('/', 1)[-1]}")
        rec = got.json()
        if "names" not in rec and "name" in rec:  # a v1 record: its shape is not what the store reads
            raise ConfigError(f"ror: {got.url}: a ROR v1 record; point sources.ror.url at the v2 API")
        return rec, got

    def search(self, query: str) -> list[dict]:
        return self._fetch("/organizations", {"query": query}).json().get("items", [])

    def affiliation(self, text: str) -> list[dict]:
        """ROR's own affiliation matcher: items with organization, score, matching_type and chosen."""
        return self._fetch("/organizations", {"affiliation": text}).json().get("items", [])


def read_dump(path: Path) -> Iterator[dict]:
    """Records of a ROR data dump: the Zenodo release (a zip holding one JSON array), a JSON array, or JSON lines,
    optionally gzipped."""
    path = Path(path)
    try:
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as z:
                names = [n for n in z.namelist() if n.endswith(".json")]
                v2 = [n for n in names if "schema_v2" in n] or names
                if not v2:
                    raise InputError("no JSON file in the ROR dump archive", file=str(path))
                data = z.read(sorted(v2)[-1])
        elif path.suffix == ".gz":
            data = gzip.decompress(path.read_bytes())
        else:
            data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"unreadable ROR dump ({exc})", file=str(path)) from None
    text = data.decode("utf-8")
    if text.lstrip().startswith("["):
        try:
            yield from json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON ({exc.msg})", file=str(path), row=exc.lineno) from None
        return
    for n, line in enumerate(io.StringIO(text), start=1):
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"not valid JSON ({exc.msg})", file=str(path), row=n) from None


def organisation_row(rec: dict) -> dict:
    """The store's view of a ROR v2 record."""
    if "id" not in rec or "names" not in rec:
        raise InputError(f"not a ROR v2 record (no id/names): {str(rec)[:80]}")
    display = next((n["value"] for n in rec["names"] if "ror_display" in n.get("types", [])),
                   rec["names"][0]["value"] if rec["names"] else rec["id"])
    countries = [loc["geonames_details"].get("country_code") for loc in rec.get("locations") or []]
    rels = rec.get("relationships") or []
    return {
        "ror_id": rec["id"],
        "name": display,
        "names": [{"value": n["value"], "types": n.get("types", []), "lang": n.get("lang")} for n in rec["names"]],
        "country": countries[0] if countries else None,
        "types": rec.get("types") or [],
        "status": rec.get("status") or "active",
        "parents": [r["id"] for r in rels if r.get("type") == "parent"],
        "children": [r["id"] for r in rels if r.get("type") == "child"],
        # every relationship and place, so the store can recompute the crosswalked organisations' families
        "relationships": [{"type": r.get("type"), "id": r.get("id"), "label": r.get("label")} for r in rels
                          if r.get("id")],
        "locations": [{"geonames_details": {k: (loc.get("geonames_details") or {}).get(k)
                                            for k in ("name", "country_code")}}
                      for loc in rec.get("locations") or []],
    }
