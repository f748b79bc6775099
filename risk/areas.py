"""Classifying research into sensitive / critical technology areas, with the works and terms behind each."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from highfence.packaged import data_dir

TAXONOMY = data_dir() / "taxonomies" / "areas.yaml"


@dataclass
class AreaHit:
    framework: str
    area: str
    name: str
    works: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)

    @property
    def confidence(self) -> str:
        if len(self.works) >= 2 or len(self.terms) >= 3:
            return "high"
        return "medium" if len(self.terms) >= 2 else "low"

    def to_json(self) -> dict:
        return {"framework": self.framework, "area": self.area, "name": self.name, "works": self.works,
                "terms": self.terms, "confidence": self.confidence}


@lru_cache(maxsize=4)
def taxonomy(path: str = str(TAXONOMY)) -> list[dict]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))["frameworks"]


@lru_cache(maxsize=1024)
def _pattern(keyword: str) -> re.Pattern:
    return re.compile(r"(?<![\w-])" + re.escape(keyword.lower()) + r"(?![\w-])")


def classify(texts: list[tuple[str, str]], extra: str | None = None) -> list[AreaHit]:
    """(work id, text) pairs -> areas with the works and terms that put the research there. ``extra``: a proposal
    text classified alongside (work id 'proposal')."""
    items = list(texts) + ([("proposal", extra)] if extra else [])
    hits: dict[tuple[str, str], AreaHit] = {}
    for fw in taxonomy():
        for area in fw["areas"]:
            for work_id, text in items:
                low = (text or "").lower()
                found = [k for k in area["keywords"] if _pattern(k).search(low)]
                if found:
                    hit = hits.setdefault((fw["id"], area["id"]), AreaHit(fw["id"], area["id"], area["name"]))
                    if work_id not in hit.works:
                        hit.works.append(work_id)
                    hit.terms.extend(t for t in found if t not in hit.terms)
    return sorted(hits.values(), key=lambda h: (h.framework, h.area))
