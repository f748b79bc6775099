"""Writing a report in the asked format, and publishing it as a Prefect artifact when a flow is running."""

from __future__ import annotations

import json
import os
from pathlib import Path

from highfence.errors import InputError
from highfence.reports import html, markdown, xlsx

FORMATS = ("html", "md", "json", "xlsx")


def write(model: dict, fmt: str, out: Path) -> Path:
    if fmt not in FORMATS:
        raise InputError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    if fmt == "xlsx":
        xlsx.write(model, tmp)
    else:
        text = {"html": html.render, "md": markdown.render,
                "json": lambda m: json.dumps(m, ensure_ascii=False, indent=2, default=str)}[fmt](model)
        tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, out)
    publish_artifact(model)
    return out


def publish_artifact(model: dict) -> None:
    """Inside a Prefect flow run, the report also becomes a markdown artifact; elsewhere, nothing happens. A report
    with restricted items never does: Prefect's database is no place for NDA content."""
    if model.get("restricted_included"):
        return
    try:
        from prefect.context import FlowRunContext
    except ImportError:
        return
    if FlowRunContext.get() is None:
        return
    from prefect.artifacts import create_markdown_artifact

    who = model.get("subject", {}).get("subject_id") or model.get("partnership", {}).get("partnership_id") or "roster"
    key = f"report-{model['kind']}-{who}-{model['lang']}"
    create_markdown_artifact(markdown.render(model), key="".join(c if c.isalnum() or c == "-" else "-"
                                                                 for c in key.lower()),
                             description=f"highfence {model['kind']} report")
