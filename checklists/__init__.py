"""Partnerships and the guideline's checklists, pre-filled from the evidence."""
