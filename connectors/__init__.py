"""Clients for public sources. They return records; they never write to the store themselves."""
