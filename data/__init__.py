"""Packaged reference data: list snapshots, matching vocabularies, rule packs, checklists and the demo roster.

Read through ``highfence.packaged`` (``importlib.resources``), never by a path relative to a checkout."""
