"""Markdown: for Prefect artifacts, tickets and e-mail. Every value from a source, a roster, a disclosure or an
analyst goes through ``md_text``: it shows as the text it is, never as emphasis, a link, an image or HTML."""

from __future__ import annotations

import re
from html import escape

from highfence.reports.build import labels, not_checked_rows, outcome_label
from highfence.reports.links import safe_href

# What Markdown (CommonMark and GitHub's tables) would take as markup anywhere in a line; & < > become entities.
_INLINE = re.compile(r"([\\`*_{}\[\]()!|~])")
# What would start a block (heading, list, rule) at the start of a line; > is an entity already.
_LINE_START = re.compile(r"^([#+\-=])|^(\d+)([.)])")


def md_text(value) -> str:
    """A value as literal Markdown text, on one line."""
    text = " ".join(("" if value is None else str(value)).split())
    text = _INLINE.sub(r"\\\1", escape(text, quote=False))
    return _LINE_START.sub(lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", text)


class Markup(str):
    """Markdown this module wrote itself (a link): a table cell takes it as it is."""


def md_link(url, text=None) -> str:
    """An autolink for a web address; anything else (javascript:, data:, ...) as plain text."""
    href = safe_href(url)
    return Markup(f"<{href}>") if href else md_text(text if text is not None else url)


def _cell(value) -> str:
    return value if isinstance(value, Markup) else md_text(value)


def _table(headers: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out + [""]


def render(model: dict) -> str:
    t = labels(model["lang"])
    lang = model["lang"]
    rel, st = t["relations"], t["statuses"]
    out = [f"# {t['title_' + model['kind']]}", "", t["lead"], "",
           f"*{t['generated']}: {model['generated_at']} · highfence {model['highfence_version']}*", "",
           f"> {t['restricted_included'] if model['restricted_included'] else t['restricted_note']}", ""]
    if "subject" in model:
        s = model["subject"]
        out += [f"## {t['subject']}", "", f"**{md_text(s['name'])}** ({md_text(s['kind'])}, "
                                                 f"{md_text(s['subject_id'])})  "]
        out += [f"{k}: {md_link(v)}  " for k, v in s["links"].items()] + [""]
    if model.get("checklist"):
        out += [f"## {t['checklist']}", ""]
        out += _table(["item", t["status"], t["source"], t["explanation"]],
                      [[i["item_id"], i["answer"] or "?", i["source"] or "-", i["note"] or ""]
                       for i in model["checklist"]["items"]])
    out += [f"## {t['scope']}", ""]
    out += _table([t["list"], t["published"], t["snapshot"], "sha256", t["licence"]],
                  [[l["list_id"], l["published"] or "-", l["snapshot_id"], l["sha256"][:16], l["licence"]]
                   for l in model["scope"]["lists"]])
    if model["kind"] == "roster":
        out += [f"## {t['subjects']}", ""]
        out += _table(["ID", t["kind"], t["name"], t["open"], st["escalated"], st["confirmed"], st["dismissed"], t["lists"]],
                      [[x["subject_id"], x["kind"], x["name"], x["open"], x["escalated"], x["confirmed"],
                        x["dismissed"], x["lists"] or "-"] for x in model["subjects"]])
    out += [f"## {t['findings']}", ""]
    if not model["findings"]:
        out += [t["no_findings"], ""]
    else:
        out += _table([t["subject"], t["relation"], t["observed"], t["evidence"], t["year"], t["entry"], t["score"],
                       t["status"]],
                      [[f["subject_id"], rel.get(f["relation"], f["relation"]), f["observed_name"],
                        md_link(f["links"]["doi"]) if f["links"].get("doi") else f["evidence_id"],
                        f["evidence_year"] or "-",
                        f"{f['entry_name']} ({f['list_id']})", f"{f['score']:.0f}",
                        st.get(f["status"], f["status"])] for f in model["findings"]])
    if model["kind"] != "partner":
        out += [f"## {t['integrity']}", "", t["integrity_note"], ""]
        out += _table([t["subject"], t["notice_type"], t["work"], t["notice"], t["notice_date"], t["reported_by"]],
                      [[n["subject_id"], rel.get(n["update_type"], n["update_type"]),
                        md_link(n["links"].get("work"), n["work_doi"]),
                        md_link(n["links"]["notice"], n["notice_doi"]) if n["links"].get("notice") else "-",
                        n["notice_date"] or "-", n["notice_source"] or "-"] for n in model["integrity"]]) \
            if model["integrity"] else [t["no_integrity"], ""]
    rec = model["reconciliation"]
    if model["kind"] != "partner":
        out += [f"## {t['reconciliation']}", ""]
        if not rec["disclosed"]:
            out += [t["no_disclosure"], ""]
        elif not rec["findings"]:
            out += [t["consistent"], ""]
        else:
            out += _table([t["subject"], t["relation"], t["observed"], t["entry"], t["confidence"]],
                          [[r["subject_id"], rel.get(r["relation"], r["relation"]), r["observed_name"],
                            r["entry_name"] or "-", r["confidence"]] for r in rec["findings"]])
    if model.get("assessments"):
        out += [f"## {t['assessment']}", ""]
        out += _table([t["subject"], t["pack"], t["as_of"], t["outcome"], t["triggered"]],
                      [[a["subject_id"], f"{a['pack']} {a['pack_version']}", a["as_of"],
                        outcome_label(a["outcome"], lang),
                        ", ".join(tr["factor"] for tr in a["triggers"]) or "-"] for a in model["assessments"]])
        out += [f"### {t['lists_checked']}", ""]
        out += _table([t["list"], t["official_name"], t["publisher"], t["published"], t["snapshot_date"],
                       t["age_days"]],
                      [[c["list_id"], c["official"][lang]["name"], c["official"][lang]["publisher"],
                        c["published"] or "-", c["snapshot_date"], c["age_days"]]
                       for c in model["coverage"]["lists_checked"]]) \
            if model["coverage"]["lists_checked"] else [t["no_lists_checked"], ""]
    out += [f"## {t['not_checked']}", ""]
    missed = not_checked_rows(model, lang)
    out += _table([t["subject"], t["nc_source"], t["reason"]], missed) if missed else [t["all_checked"], ""]
    return "\n".join(out)
