"""Matching: pure functions that link organisation names and affiliation strings to list entries."""
