"""Downloading the official lists from their publishers into a folder, ready for the list loader."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import urljoin

from bs4 import BeautifulSoup

from highfence.connectors.http import HttpClient, SourceError

OFAC_SETS = {
    "us_ofac_sdn": ("SDN.CSV", "ADD.CSV", "ALT.CSV", "SDN_COMMENTS.CSV"),
    "us_ofac_cons": ("CONS_PRIM.CSV", "CONS_ADD.CSV", "CONS_ALT.CSV", "CONS_COMMENTS.CSV"),
}
_DATED = re.compile(r"(20\d{2})(\d{2})(\d{2})")
_USER_LIST_WORDS = ("ユーザーリスト", "end user list", "user list")


def file_name(url: str, default: str) -> str:
    name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return name if "." in name else default


def download(client: HttpClient, url: str, folder: Path, name: str | None = None) -> Path:
    resp = client.get(url)
    path = folder / (name or file_name(url, "download"))
    path.write_bytes(resp.content)
    return path


def download_ofac_set(client: HttpClient, list_id: str, main_url: str, folder: Path) -> Path:
    """The main file and its siblings (same folder on the server); saved under OFAC's lower-case names."""
    names = OFAC_SETS[list_id]
    base = main_url.rsplit("/", 1)[0] + "/"
    for i, name in enumerate(names):
        url = main_url if i == 0 else urljoin(base, name)
        try:
            download(client, url, folder, name.lower())
        except SourceError:
            if name.endswith("COMMENTS.CSV"):  # optional: a set without comments is still complete
                continue
            raise
    return folder / names[0].lower()


def find_meti_xlsx(html: str | bytes, page_url: str) -> str:
    """The End User List workbook linked from METI's page: an .xlsx link near the words 'ユーザーリスト' /
    'End User List'; with several, the one whose file name carries the latest date."""
    soup = BeautifulSoup(html, "html.parser")
    candidates = []
    for a in soup.find_all("a", href=True):
        href = a["href"].strip()
        if not href.lower().split("?", 1)[0].endswith(".xlsx"):
            continue
        context = " ".join(filter(None, [a.get_text(" "), a.parent.get_text(" ") if a.parent else ""])).casefold()
        relevant = any(w in context for w in _USER_LIST_WORDS)
        m = _DATED.search(href)
        when = date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else date.min
        candidates.append((relevant, when, urljoin(page_url, href)))
    if not candidates:
        raise SourceError(f"jp_meti_eul: {page_url}: no .xlsx link on the page (layout changed?)")
    candidates.sort(reverse=True)
    return candidates[0][2]


def download_meti(client: HttpClient, page_url: str, folder: Path) -> tuple[Path, str]:
    page = client.get(page_url)
    # bytes, not .text: METI's header may omit the charset, and requests would then guess ISO-8859-1
    xlsx_url = find_meti_xlsx(page.content, page_url)
    return download(client, xlsx_url, folder, file_name(xlsx_url, "meti_end_user_list.xlsx")), xlsx_url
