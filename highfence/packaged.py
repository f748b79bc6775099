"""Where packaged reference data lives: ``highfence.data``, found through ``importlib.resources``.

Installed from a wheel the data sits inside the package; in an editable install it is the repository's ``data/``
folder. Either way callers get a real directory path, because readers such as openpyxl and DuckDB want files.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path


@cache
def data_dir() -> Path:
    """The directory of the packaged data (``data/`` in the repository)."""
    root = resources.files("highfence.data")
    # Wheels and editable installs both put the package on the file system; a zip import would have no real path,
    # and highfence does not support running from one.
    return Path(str(root))


def data_path(*parts: str) -> Path:
    """A file or folder inside the packaged data, e.g. ``data_path("matching", "places.tsv")``."""
    return data_dir().joinpath(*parts)
