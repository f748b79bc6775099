"""User-facing errors.

Every failure a user can cause or fix (bad input, an unreadable database, a refused list load) is raised as a
``HighfenceError`` whose message is one complete line naming the thing at fault (file, row, field, path). The CLI
prints that line and exits non-zero; anything else is a bug and shows a traceback only with ``HIGHFENCE_DEBUG=1``.
"""


class HighfenceError(Exception):
    """A failure explained in one line; ``exit_code`` is what the CLI returns for it."""

    exit_code = 1


class UsageError(HighfenceError):
    """The command was called wrong (a missing or contradictory argument): exit 2, as for argparse's own errors."""

    exit_code = 2


class ConfigError(HighfenceError):
    pass


class InputError(HighfenceError):
    """Bad input data. Built with the location so messages always say where the problem is."""

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None, field: str | None = None):
        where = []
        if file:
            where.append(str(file))
        if row is not None:
            where.append(f"row {row}")
        if field:
            where.append(f"field '{field}'")
        self.file, self.row, self.field = file, row, field
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
