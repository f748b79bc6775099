"""The ``highfence`` command line."""

from highfence.cli.app import main

__all__ = ["main"]
