"""Live list refresh: download each list to a temporary folder, then load it through the same validation as a
file load. A failed download or a refused file leaves the active snapshot untouched."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Iterator

from highfence.store import Store
from highfence.connectors import publishers
from highfence.connectors.http import HttpClient, HttpConfig
from highfence.flows.lists import LoadResult, load_list, refuse
from highfence import HighfenceError
from highfence.settings import Settings
from highfence.watchlists.registry import SOURCES, source_for

DOWNLOADABLE = [s.list_id for s in SOURCES.values() if s.fetch != "none"]


def fetch(list_id: str, settings: Settings, folder: Path, client: HttpClient | None = None) -> tuple[Path, str]:
    """Download one list; (path to load, URL it came from)."""
    src = source_for(list_id)
    url = settings.list_url(list_id)
    if src.fetch == "none" or not url:
        raise HighfenceError(f"{list_id}: no download for this list; load a file with 'highfence watchlists load'")
    max_bytes = int(settings.watchlists.max_download_mb * 1024 * 1024)
    client = client or HttpClient(list_id, HttpConfig.from_settings(settings, max_bytes=max_bytes))
    if src.fetch == "ofac-set":
        return publishers.download_ofac_set(client, list_id, url, folder), url
    if src.fetch == "meti-page":
        return publishers.download_meti(client, url, folder)
    suffix = {"ca_nro": "page.html", "un_sc": "consolidated.xml", "aspi_unitracker": "cluster.json"}.get(list_id)
    name = suffix or publishers.file_name(url, "list.csv")
    return publishers.download(client, url, folder, name), url


def refresh_lists(settings: Settings, list_ids: list[str] | None = None, *, force: bool = False
                  ) -> Iterator[tuple[str, LoadResult | Exception]]:
    for list_id in list_ids or DOWNLOADABLE:
        with tempfile.TemporaryDirectory(prefix=f"highfence-{list_id.replace(':', '_')}-") as tmp:
            try:
                path, url = fetch(list_id, settings, Path(tmp))
            except HighfenceError as exc:
                try:
                    source_for(list_id)
                    err = refuse(Store.from_settings(settings), list_id, settings.list_url(list_id) or list_id,
                                 None, str(exc))
                except HighfenceError as inner:
                    err = inner
                yield list_id, err
                continue
            try:
                yield list_id, load_list(Store.from_settings(settings), list_id, path, force=force,
                                         max_drop=settings.watchlists.max_drop, source=url)
            except HighfenceError as exc:
                yield list_id, exc
