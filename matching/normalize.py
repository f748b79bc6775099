"""Name folding shared by every look-up: Unicode compatibility forms, case, accents (Latin scripts only, so kana
voicing marks survive), punctuation and spacing."""

from __future__ import annotations

import re
import unicodedata

_PUNCT = re.compile(r"[^\w]+", re.UNICODE)
_SPACE = re.compile(r"\s+")


def _strip_latin_accents(text: str) -> str:
    out = []
    for ch in unicodedata.normalize("NFD", text):
        # Drop combining marks only after Latin, Greek or Cyrillic letters; Japanese dakuten must stay.
        if unicodedata.category(ch) == "Mn" and out and ord(out[-1]) < 0x0530:
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def fold(text: str | None) -> str:
    """'Beijing Univ. of Aeronautics & Astronautics' -> 'beijing univ of aeronautics astronautics';
    full-width '（北京航空航天大学）' -> '北京航空航天大学'."""
    if not text:
        return ""
    if text.isascii():  # most affiliation strings: nothing to normalise but case
        text = text.lower()
    else:
        text = _strip_latin_accents(unicodedata.normalize("NFKC", text).casefold())
    text = text.replace("'", "").replace("’", "")  # Xi'an -> xian, as most databases write it
    text = _PUNCT.sub(" ", text).replace("_", " ")
    return _SPACE.sub(" ", text).strip()
