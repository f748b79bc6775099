"""A checklist as it stands: its template's items in the instance's language, each with its current answer. This is
the shape `checklist show` prints and reports embed. Pure: the answers come in, the view goes out."""

from __future__ import annotations

from typing import Iterable

from highfence.checklists.templates import template
from highfence.records import ChecklistAnswer, ChecklistInstance


def _answered(a: ChecklistAnswer | None) -> dict:
    if a is None:
        return {"answer": None, "note": None, "source": None, "evidence": [], "answered_by": None}
    return {"answer": a.value, "note": a.note, "source": a.source, "evidence": a.evidence, "answered_by": a.answered_by}


def view(instance: ChecklistInstance, answers: Iterable[ChecklistAnswer]) -> dict:
    current = {a.item_id: a for a in answers}
    items = [{"item_id": i["id"], "section": i["section"], "text": i[instance.lang], **_answered(current.get(i["id"]))}
             for i in template(instance.template_id)["items"]]
    return {"instance_id": instance.instance_id, "template": instance.template_id,
            "partnership_id": instance.partnership_id, "lang": instance.lang, "items": items}
