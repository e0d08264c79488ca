"""The errors govkg reports to people: one clear line each, never a traceback."""


class GovkgError(Exception):
    """An error whose message is meant for the user as it stands."""


class DataFileError(GovkgError):
    """A source file that cannot be parsed; names the file and the line."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class QueryError(GovkgError):
    """A SPARQL query the engine refuses, with the parser's message."""
