"""Identifier patterns checked wherever a source's value could end up as a link: a ROR id is exactly
``https://ror.org/`` and nine characters (a leading 0, six of ROR's Crockford base32 alphabet, two check digits)."""

from __future__ import annotations

import re

ROR_ID = re.compile(r"^https://ror\.org/0[a-hj-km-np-tv-z0-9]{6}[0-9]{2}$")
_BARE_ROR = re.compile(r"^0[a-hj-km-np-tv-z0-9]{6}[0-9]{2}$")


def ror_url(value: object) -> str | None:
    """The ROR id as ``https://ror.org/...`` when ``value`` is one (bare, or an http(s) ror.org URL), else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    for prefix in ("https://ror.org/", "http://ror.org/", "https://www.ror.org/"):
        if text.lower().startswith(prefix):
            text = text[len(prefix):]
            break
    return f"https://ror.org/{text}" if _BARE_ROR.match(text) else None
