"""highfence core: version, settings and the error type every stage raises for user-facing failures."""

from highfence.errors import HighfenceError


def __getattr__(name: str):
    # read on first use: importlib.metadata costs a tenth of a warm `highfence match`, which never needs it
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("highfence")
        except PackageNotFoundError:  # running from a source tree that was never installed
            value = "0.0.0+unknown"
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module 'highfence' has no attribute {name!r}")


__all__ = ["HighfenceError", "__version__"]
