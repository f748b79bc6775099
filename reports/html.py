"""One self-contained HTML file: inline CSS (print-ready for A4), inline SVG, no external requests. Links to the
source records (DOI, ORCID, ROR, list publications) are plain hyperlinks, never loaded."""

from __future__ import annotations

from html import escape

from highfence.reports.build import labels, not_checked_rows, outcome_label, who
from highfence.reports.links import safe_href

CSS = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", "IPAPGothic", "IPAGothic", "Segoe UI",
       Roboto, Arial, sans-serif; color: #1b1f24; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; font-size: 10.5pt; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; border-bottom: 2px solid #2a4d69;
     padding-bottom: .15rem; margin-top: 1.6rem; } h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
.lead { color: #445; } .meta { color: #556; font-size: .9em; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; font-size: .92em; }
th, td { border: 1px solid #c9d1d9; padding: .25rem .4rem; text-align: left; vertical-align: top; }
th { background: #eef2f6; } tr { page-break-inside: avoid; }
[class^="status-"] { white-space: nowrap; } .status-open { color: #9a3412; font-weight: 600; } .status-escalated { color: #b91c1c; font-weight: 700; }
.status-dismissed, .status-superseded, .status-delisted { color: #57606a; } .status-confirmed { color: #7c2d12; }
.why { color: #57606a; font-size: .88em; } .note { background: #fff8e6; border-left: 4px solid #d4a72c;
       padding: .4rem .6rem; } svg text { font-family: inherit; }
a { color: #0b5394; } @media print { a { color: inherit; text-decoration: none; } body { margin: 0; } }
"""


def _e(value) -> str:
    return escape("" if value is None else str(value))


def _link(text, url) -> str:
    """A hyperlink only to a web address; anything else (javascript:, data:, ...) stays plain text."""
    href = safe_href(url)
    return f'<a href="{_e(href)}">{_e(text)}</a>' if href else _e(text)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def timeline_svg(timeline: dict, lang: str) -> str:
    t = labels(lang)
    if not timeline.get("rows") or not timeline.get("years"):
        return ""
    first, last = timeline["years"]
    first, last = min(first, last - 4), last
    n_years = last - first + 1
    left, top, row_h, col_w = 230, 28, 26, max(28, min(60, 560 // n_years))
    width = left + n_years * col_w + 20
    height = top + row_h * len(timeline["rows"]) + 34
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" aria-label="{_e(t["timeline"])}">']
    for i in range(n_years):
        x = left + i * col_w
        parts.append(f'<line x1="{x}" y1="{top - 6}" x2="{x}" y2="{height - 30}" stroke="#e5e9ee"/>')
        parts.append(f'<text x="{x + col_w / 2}" y="{top - 10}" font-size="10" text-anchor="middle" '
                     f'fill="#57606a">{first + i}</text>')
    for r, row in enumerate(timeline["rows"]):
        y = top + r * row_h
        name = row["organisation"] if len(row["organisation"]) <= 34 else row["organisation"][:33] + "…"
        colour = "#b91c1c" if row["listed"] else "#1b1f24"
        mark = " ▲" if row["listed"] else ""
        parts.append(f'<text x="4" y="{y + 16}" font-size="11" fill="{colour}">{_e(name)}{mark}</text>')
        for start, end in row["disclosed"]:
            s, e = max(start, first), min(end, last)
            if e >= s:
                parts.append(f'<rect x="{left + (s - first) * col_w + 2}" y="{y + 5}" '
                             f'width="{(e - s + 1) * col_w - 4}" height="14" rx="3" fill="#c6dbef"/>')
        for year in row["observed"]:
            if first <= year <= last:
                fill = "#b91c1c" if row["listed"] else "#2a4d69"
                parts.append(f'<circle cx="{left + (year - first) * col_w + col_w / 2}" cy="{y + 12}" r="5" '
                             f'fill="{fill}"/>')
    ly = height - 12
    parts.append(f'<rect x="{left}" y="{ly - 9}" width="22" height="10" rx="2" fill="#c6dbef"/>'
                 f'<text x="{left + 26}" y="{ly}" font-size="10">{_e(t["disclosed"])}</text>'
                 f'<circle cx="{left + 110}" cy="{ly - 4}" r="5" fill="#2a4d69"/>'
                 f'<text x="{left + 119}" y="{ly}" font-size="10">{_e(t["observed_mark"])}</text>'
                 f'<text x="{left + 210}" y="{ly}" font-size="10" fill="#b91c1c">▲ {_e(t["listed"])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render(model: dict) -> str:
    lang = model["lang"]
    t = labels(lang)
    rel = t["relations"]
    st = t["statuses"]
    out = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{_e(t['title_' + model['kind']])}</title><style>{CSS}</style></head><body>",
           f"<h1>{_e(t['title_' + model['kind']])}</h1>",
           f"<p class=\"lead\">{_e(t['lead'])}</p>",
           f"<p class=\"meta\">{_e(t['generated'])}: {_e(model['generated_at'])} · highfence "
           f"{_e(model['highfence_version'])}</p>"]
    out.append(f'<p class="note">{_e(t["restricted_included"] if model["restricted_included"] else t["restricted_note"])}</p>')
    if "subject" in model:
        s = model["subject"]
        ids = " · ".join(_link(k.upper() if k != "openalex" else "OpenAlex", v) for k, v in s["links"].items())
        out.append(f"<h2>{_e(t['subject'])}</h2>")
        out.append(_table([t["name"], t["kind"], t["identifiers"]], [[_e(s["name"]), _e(s["kind"]), ids or "-"]]))
    scope = model["scope"]
    out.append(f"<h2>{_e(t['scope'])}</h2><h3>{_e(t['lists'])}</h3>")
    out.append(_table([t["list"], t["published"], t["snapshot"], "sha256", t["licence"]],
                      [[_link(l["list_id"], l["source_url"]), _e(l["published"] or "-"), _e(l["snapshot_id"]),
                        f"<code>{_e(l['sha256'][:16])}…</code>", _e(l["licence"])] for l in scope["lists"]]))
    window = scope.get("window")
    out.append(f"<p>{_e(t['sources'])}: {_e(', '.join(scope['sources']) or '-')}"
               + (f" · {_e(t['window'])}: {window['from']}–{window['to']}" if window else "") + "</p>")
    if model.get("partnership"):
        p = model["partnership"]
        out.append(f"<h2>{_e(p['title'])} ({_e(p['partnership_id'])})</h2>")
        out.append(_table([t["kind"], t["subject"], t["subjects"]],
                          [[_e(p["agreement_type"]), _e(", ".join(x["name"] for x in p["partners"])),
                            _e(", ".join(p["researchers"]))]]))
    cl = model.get("checklist")
    if cl:
        out.append(f"<h2>{_e(t['checklist'])}</h2>")
        out.append(_table(["", t["status"], t["source"], t["explanation"]],
                          [[_e(i["text"]), f"<strong>{_e(i['answer'] or '?')}</strong>", _e(i["source"] or "-"),
                            _e(i["note"] or "")] for i in cl["items"]]))
        open_items = [i for i in cl["items"] if not i["answer"] or i["answer"] in ("no", "unsure")]
        out.append(f"<p>{_e(t['open_items'])}: {len(open_items)}</p>")
    if model["kind"] in ("roster", "partnership"):
        out.append(f"<h2>{_e(t['subjects'])}</h2>")
        out.append(_table(["ID", t["kind"], t["name"], t["open"], st["escalated"], st["confirmed"], st["dismissed"],
                           t["lists"]],
                          [[_e(x["subject_id"]), _e(x["kind"]), _e(x["name"]), _e(x["open"]), _e(x["escalated"]),
                            _e(x["confirmed"]), _e(x["dismissed"]), _e(x["lists"] or "-")]
                           for x in model["subjects"]]))
    out.append(f"<h2>{_e(t['findings'])}</h2>")
    if not model["findings"]:
        out.append(f"<p>{_e(t['no_findings'])}</p>")
    by_relation: dict[str, list] = {}
    for f in model["findings"]:
        by_relation.setdefault(f["relation"], []).append(f)
    for relation, items in by_relation.items():
        out.append(f"<h3>{_e(rel.get(relation, relation))}</h3>")
        rows = []
        for f in items:
            ev = _link(f["evidence_id"], f["links"].get("doi") or f["links"].get("source"))
            observed = _e(f["observed_name"]) + (f"<br>{_link('ROR', f['links']['ror'])}" if "ror" in f["links"] else "")
            rows.append([(_e(f["subject_id"]) + "<br>") if model["kind"] == "roster" else "",
                         observed, ev, _e(f["evidence_year"] or "-"),
                         _link(f"{f['entry_name']} ({f['list_id']})", f["links"].get("list")),
                         _e(f"{f['score']:.0f}"),
                         f'<span class="status-{_e(f["status"])}">{_e(st.get(f["status"], f["status"]))}</span>'
                         + (f'<div class="why">{_e(f["status_reason"])}</div>' if f["status_reason"] else ""),
                         f'<span class="why">{_e(f["explanation"])}</span>'])
        headers = [t["subject"] if model["kind"] == "roster" else "", t["observed"], t["evidence"], t["year"],
                   t["entry"], t["score"], t["status"], t["explanation"]]
        if model["kind"] != "roster":
            headers, rows = headers[1:], [r[1:] for r in rows]
        out.append(_table(headers, rows))
    if model.get("copublication") is not None:
        out.append(f"<h2>{_e(t['copub'])}</h2>")
        out.append(_table([t["entry"], t["subject"], t["relation"], t["year"], "works"],
                          [[_e(f"{c['entry_name']} ({c['list_id']})"), _e(c["researcher"]),
                            _e(rel.get(c["relation"], c["relation"])), _e(c["year"]), _e(c["works"])]
                           for c in model["copublication"]]) if model["copublication"] else f"<p>{_e(t['no_findings'])}</p>")
    if model.get("timeline") is not None:
        out.append(f"<h2>{_e(t['timeline'])}</h2><p class=\"why\">{_e(t['timeline_note'])}</p>")
        out.append(timeline_svg(model["timeline"], lang) or f"<p>{_e(t['no_findings'])}</p>")
    if model["kind"] != "partner":
        out.append(f"<h2>{_e(t['integrity'])}</h2><p class=\"why\">{_e(t['integrity_note'])}</p>")
        out.append(_table([t["subject"], t["notice_type"], t["work"], t["notice"], t["notice_date"], t["reported_by"]],
                          [[_e(n["subject_id"]), _e(rel.get(n["update_type"], n["update_type"])),
                            _link(n["work_doi"], n["links"].get("work")),
                            _link(n["notice_doi"], n["links"].get("notice")) if n["notice_doi"] else "-",
                            _e(n["notice_date"] or "-"), _e(n["notice_source"] or "-")] for n in model["integrity"]])
                   if model["integrity"] else f"<p>{_e(t['no_integrity'])}</p>")
    rec = model["reconciliation"]
    if model["kind"] != "partner":
        out.append(f"<h2>{_e(t['reconciliation'])}</h2>")
        if not rec["disclosed"]:
            out.append(f"<p>{_e(t['no_disclosure'])}</p>")
        elif not rec["findings"]:
            out.append(f"<p>{_e(t['consistent'])}</p>")
        else:
            out.append(_table([t["subject"], t["relation"], t["observed"], t["entry"], t["confidence"], t["explanation"]],
                              [[_e(r["subject_id"]), _e(rel.get(r["relation"], r["relation"])), _e(r["observed_name"]),
                                _e(r["entry_name"] or "-"), _e(r["confidence"]),
                                f'<span class="why">{_e(r["explanation"])}</span>'] for r in rec["findings"]]))
    if model.get("assessments"):
        out.append(f"<h2>{_e(t['assessment'])}</h2>")
        out.append(_table([t["subject"], t["pack"], t["as_of"], t["outcome"], t["triggered"], t["mitigation"]],
                          [[_e(a["subject_id"]), _e(f"{a['pack']} {a['pack_version']}"), _e(a["as_of"]),
                            f"<strong>{_e(outcome_label(a['outcome'], lang))}</strong>",
                            "<br>".join(_e((tr.get("title") or {}).get(lang, tr["factor"])
                                           if isinstance(tr.get("title"), dict) else tr["factor"])
                                        + f" ({len(tr['evidence'])})" for tr in a["triggers"]) or "-",
                            _e(a["mitigations"].get(lang, ""))] for a in model["assessments"]]))
        out.append(f"<h3>{_e(t['lists_checked'])}</h3>")
        out.append(_table([t["list"], t["official_name"], t["publisher"], t["published"], t["snapshot_date"],
                           t["age_days"]],
                          [[_e(c["list_id"]), _e(c["official"][lang]["name"]), _e(c["official"][lang]["publisher"]),
                            _e(c["published"] or "-"), _e(c["snapshot_date"]), _e(c["age_days"])]
                           for c in model["coverage"]["lists_checked"]])
                   if model["coverage"]["lists_checked"] else f"<p>{_e(t['no_lists_checked'])}</p>")
    out.append(f"<h2>{_e(t['decisions'])}</h2>")
    out.append(_table([t["when"], t["by"], t["decision"], t["reason"]],
                      [[_e(d["decided_at"]), _e(who(d)), _e(f"{d['previous_status']} → {d['status']}"),
                        _e(d["reason"])] for d in model["decisions"]]) if model["decisions"]
               else f"<p>{_e(t['no_decisions'])}</p>")
    out.append(f"<h2>{_e(t['not_checked'])}</h2>")
    missed = not_checked_rows(model, lang)
    out.append(_table([t["subject"], t["nc_source"], t["reason"]], [[_e(c) for c in r] for r in missed])
               if missed else f"<p>{_e(t['all_checked'])}</p>")
    out.append("</body></html>")
    return "\n".join(out)
