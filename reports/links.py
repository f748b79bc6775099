"""Which values may become a link. A report is opened by people who trust it, so a source's string never becomes an
``href`` unless it is a plain web address (or, where a report means it, a mailto:): no ``javascript:``, ``data:``
or anything a browser would run or load."""

from __future__ import annotations

from urllib.parse import urlsplit

from highfence.identifiers import ROR_ID

WEB = ("http", "https")


def safe_href(url: object, schemes: tuple[str, ...] = WEB) -> str | None:
    """``url`` if it is an absolute URL with one of ``schemes`` and a host (mailto: needs none), else None.
    Whitespace and control characters anywhere are refused: browsers drop them, so ``java\\tscript:`` would run."""
    if not isinstance(url, str) or not url or any(ord(c) <= 32 or ord(c) == 127 for c in url):
        return None
    if any(c in url for c in '<>"\'`\\'):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        return None
    if scheme in WEB and not parts.netloc:
        return None
    return url


def ror_href(value: object) -> str | None:
    """A ROR link only for a well-formed ROR id."""
    return value if isinstance(value, str) and ROR_ID.match(value) else None
