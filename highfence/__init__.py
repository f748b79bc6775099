"""highfence core: version, settings and the error type every stage raises for user-facing failures."""

from importlib.metadata import PackageNotFoundError, version as _version

from highfence.errors import HighfenceError

try:
    __version__ = _version("highfence")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["HighfenceError", "__version__"]
