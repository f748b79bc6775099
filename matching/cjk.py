"""Chinese and Japanese script folding: simplified, traditional and Japanese kanji to one form (OpenCC), and
pinyin keys for names written in romanised Chinese."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_KANA = r"\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"
CJK_RUN = re.compile(f"[{_HAN}{_KANA}々〆ヶ]+")
_HAS_CJK = re.compile(f"[{_HAN}{_KANA}]")

# Company forms dropped from CJK names when comparing (longest first).
CJK_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "株式会社", "有限会社", "合资会社", "集团公司", "会社",
                   "公司")


@lru_cache(maxsize=1)
def _converters():
    import opencc  # imported lazily: only CJK text needs it

    return opencc.OpenCC("jp2t"), opencc.OpenCC("t2s")


def has_cjk(text: str) -> bool:
    return bool(_HAS_CJK.search(text))


@lru_cache(maxsize=65536)
def simplify(text: str) -> str:
    """One form for Han characters: Japanese shinjitai -> traditional -> simplified (哈爾浜/哈爾濱/哈尔滨 -> 哈尔滨).
    Kana is kept as it is; compatibility forms and spaces are removed."""
    text = unicodedata.normalize("NFKC", text)
    jp2t, t2s = _converters()
    return t2s.convert(jp2t.convert(text))


def strip_legal_form(text: str) -> str:
    for form in CJK_LEGAL_FORMS:
        if text.endswith(form) and len(text) > len(form) + 1:
            return text[: -len(form)]
    return text


@lru_cache(maxsize=65536)
def pinyin_key(text: str) -> str:
    """'哈尔滨工业大学' -> 'haerbingongyedaxue': toneless pinyin without spaces, for comparing romanised names."""
    from pypinyin import lazy_pinyin  # imported lazily

    han = "".join(CJK_RUN.findall(text))
    if not han or re.search(f"[{_KANA}]", han):
        return ""
    return "".join(lazy_pinyin(han)).replace("ü", "v").lower()


_KANA_ROMAJI = dict(zip(
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
    "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴ",
    "a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no ha hi fu he ho ma mi mu me mo ya yu yo "
    "ra ri ru re ro wa o n ga gi gu ge go za ji zu ze zo da ji zu de do ba bi bu be bo pa pi pu pe po vu".split()))
_SMALL = {"ャ": "ya", "ュ": "yu", "ョ": "yo", "ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o"}
KATAKANA_RUN = re.compile("[\u30a1-\u30fa\u30fc]+")


def katakana_romaji(text: str) -> str:
    """Hepburn romanisation of katakana ('ハルビン' -> 'harubin'), enough to compare a Japanese rendering of a
    Chinese place name with its pinyin."""
    out: list[str] = []
    double = False
    for ch in text:
        if ch == "ッ":
            double = True
            continue
        if ch == "ー":
            if out:
                out.append(out[-1][-1])
            continue
        if ch in _SMALL and out:
            prev = out.pop()
            vowel = _SMALL[ch][-1]
            if ch in "ャュョ":
                base = prev[:-1] if prev.endswith("i") else prev
                out.append(base + vowel if base in ("sh", "ch", "j") else base + "y" + vowel)
            else:  # フォ -> fo, ティ -> ti
                out.append(prev[:-1] + vowel)
            continue
        syl = _KANA_ROMAJI.get(ch, "")
        if double and syl:
            syl = syl[0] + syl
        double = False
        out.append(syl)
    return "".join(out)
