"""XLSX: one sheet per part of the model, for offices that file reports as spreadsheets. Every row goes through
``cells.xlsx_append``: no value from a source or an analyst ever becomes a formula."""

from __future__ import annotations

from pathlib import Path

from highfence.reports.build import labels, not_checked_rows, who
from highfence.reports.cells import xlsx_append


def write(model: dict, path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    t = labels(model["lang"])
    lang = model["lang"]
    rel, st = t["relations"], t["statuses"]
    wb = Workbook()
    ws = wb.active
    ws.title = t["scope"][:31]
    xlsx_append(ws, [t["title_" + model["kind"]]])
    ws["A1"].font = Font(bold=True, size=14)
    xlsx_append(ws, [t["generated"], model["generated_at"]])
    xlsx_append(ws, [t["restricted_included"] if model["restricted_included"] else t["restricted_note"]])
    if "subject" in model:
        xlsx_append(ws, [t["subject"], model["subject"]["name"], model["subject"]["subject_id"]])
    xlsx_append(ws, [])
    xlsx_append(ws, [t["list"], t["published"], t["snapshot"], "sha256", t["licence"]])
    for l in model["scope"]["lists"]:
        xlsx_append(ws, [l["list_id"], l["published"], l["snapshot_id"], l["sha256"], l["licence"]])

    def sheet(title: str, headers: list[str], rows: list[list]) -> None:
        s = wb.create_sheet(title[:31])
        xlsx_append(s, headers)
        for cell in s[1]:
            cell.font = Font(bold=True)
        for row in rows:
            xlsx_append(s, row)

    sheet(t["findings"], ["finding_id", t["subject"], t["relation"], t["observed"], t["evidence"], t["year"],
                          t["list"], t["entry"], t["score"], t["status"], t["explanation"]],
          [[f["finding_id"], f["subject_id"], rel.get(f["relation"], f["relation"]), f["observed_name"],
            f["evidence_id"], f["evidence_year"], f["list_id"], f["entry_name"], f["score"],
            st.get(f["status"], f["status"]), f["explanation"]] for f in model["findings"]])
    sheet(t["integrity"], [t["subject"], t["notice_type"], t["work"], t["notice"], t["notice_date"],
                           t["reported_by"]],
          [[n["subject_id"], rel.get(n["update_type"], n["update_type"]), n["work_doi"], n["notice_doi"],
            n["notice_date"], n["notice_source"]] for n in model.get("integrity", [])])
    sheet(t["reconciliation"], [t["subject"], t["relation"], t["observed"], t["entry"], t["confidence"],
                                t["explanation"]],
          [[r["subject_id"], rel.get(r["relation"], r["relation"]), r["observed_name"], r["entry_name"],
            r["confidence"], r["explanation"]] for r in model["reconciliation"]["findings"]])
    sheet(t["decisions"], [t["when"], t["by"], t["decision"], t["reason"]],
          [[d["decided_at"], who(d), f"{d['previous_status']} → {d['status']}", d["reason"]]
           for d in model["decisions"]])
    sheet(t["lists_checked"], [t["list"], t["official_name"], t["publisher"], t["published"], t["snapshot_date"],
                               t["age_days"]],
          [[c["list_id"], c["official"][lang]["name"], c["official"][lang]["publisher"], c["published"],
            c["snapshot_date"], c["age_days"]] for c in model["coverage"]["lists_checked"]])
    sheet(t["not_checked"], [t["subject"], t["nc_source"], t["reason"]], not_checked_rows(model, lang))
    wb.save(path)
    return path
