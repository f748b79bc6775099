"""An offline mirror of the public APIs: recorded responses laid out as files, served to the real connectors
through a requests transport adapter (no network, no server). The demo uses it; so can an institution that must
screen on an isolated machine from responses recorded elsewhere.

Layout under the mirror root, one folder per API: ``openalex/works/<author id>.json`` (the works of an author, one
page), ``openalex/authors/<id>.json``, ``ror/organizations/<ror id>.json``, ``orcid/<orcid>/record.json``,
``crossref/works/<doi>.json``. Anything else answers 404, as the live API would for an unknown id."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import BaseAdapter

MIRROR_HOST = "mirror.highfence.invalid"  # .invalid can never resolve: nothing here can reach a network
_AUTHOR = re.compile(r"author\.id:([^,]+)")
_EMPTY_PAGE = {"meta": {"count": 0, "next_cursor": None}, "results": []}


def mirror_url(api: str) -> str:
    return f"http://{MIRROR_HOST}/{api}"


class MirrorAdapter(BaseAdapter):
    def __init__(self, root: Path):
        super().__init__()
        self.root = Path(root)

    def _file(self, path: str, query: dict[str, list[str]]) -> Path | dict | None:
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["openalex", "works"] and len(parts) == 2:
            if query.get("cursor", ["*"])[0] != "*":
                return _EMPTY_PAGE  # the mirror holds one page per author
            m = _AUTHOR.search(query.get("filter", [""])[0])
            return self.root / "openalex" / "works" / f"{m.group(1)}.json" if m else None
        if parts[:2] == ["crossref", "works"] and len(parts) == 2:
            # works by DOI (for their integrity notices): those the mirror holds; listings by ORCID: none
            dois = [f.removeprefix("doi:") for f in query.get("filter", [""])[0].split(",") if f.startswith("doi:")]
            files = [self.root / "crossref" / "works" / f"{doi}.json" for doi in dois]
            items = [json.loads(f.read_text(encoding="utf-8")).get("message") or {} for f in files if f.is_file()]
            return {"message": {"items": items, "next-cursor": None}}
        return self.root.joinpath(*parts).with_suffix(".json") if parts else None

    def send(self, request, **kwargs):
        url = urlsplit(request.url)
        target = self._file(url.path, parse_qs(url.query))
        resp = requests.Response()
        resp.url, resp.request = request.url, request
        if isinstance(target, dict):
            body, resp.status_code = json.dumps(target).encode(), 200
        elif target is not None and target.is_file():
            body, resp.status_code = target.read_bytes(), 200
        else:
            body, resp.status_code = b'{"error": "not in the mirror"}', 404
        resp.headers["Content-Type"] = "application/json"
        resp.headers["Content-Length"] = str(len(body))
        resp.raw = __import__("io").BytesIO(body)
        return resp

    def close(self):
        pass


def session_for(root: Path) -> requests.Session:
    session = requests.Session()
    session.mount(f"http://{MIRROR_HOST}/", MirrorAdapter(root))
    return session
