"""Partnerships in the store."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class PartnershipSummary:
    partnership_id: str
    title: str
    agreement_type: str
    partner_names: tuple[str, ...]
    researchers: tuple[str, ...]  # roster subject ids


def summaries(con) -> list[PartnershipSummary]:
    """Every partnership, by id."""
    rows = con.execute("""SELECT partnership_id, title, agreement_type, partners::VARCHAR, researchers::VARCHAR
                          FROM partnerships ORDER BY 1""").fetchall()
    return [PartnershipSummary(pid, title, agreement, tuple(p["name"] for p in json.loads(partners)),
                               tuple(json.loads(researchers)))
            for pid, title, agreement, partners, researchers in rows]
