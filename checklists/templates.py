"""Checklist templates (shipped as data, editable)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from highfence.errors import InputError
from highfence.packaged import data_dir

TEMPLATES = data_dir() / "checklists" / "templates.yaml"
NEEDS_NOTE = {"no", "unsure", "not_implemented"}


@lru_cache(maxsize=4)
def templates(path: str = str(TEMPLATES)) -> dict[str, dict]:
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    out = {}
    for t in doc["templates"]:
        ids = [i["id"] for i in t["items"]]
        if len(ids) != len(set(ids)):
            raise InputError(f"template {t['id']}: item ids must be unique", file=path)
        out[t["id"]] = t
    return out


def template(template_id: str) -> dict:
    try:
        return templates()[template_id]
    except KeyError:
        raise InputError(f"no checklist template {template_id!r}") from None


def item(template_id: str, item_id: str) -> dict:
    for i in template(template_id)["items"]:
        if i["id"] == item_id:
            return i
    raise InputError(f"checklist {template_id} has no item {item_id!r}")
