"""The errors govkg reports to people: one clear line each, never a traceback.

Each carries the HTTP status that fits it (``status``); only the web layer turns that into
an HTTP answer (``govkg.web.errors``), and the command line prints the message alone.
"""


class GovkgError(Exception):
    """An error whose message is meant for the user as it stands."""

    status = 500


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

    status = 400


class UpstreamError(GovkgError):
    """A store behind govkg (an external SPARQL endpoint) is down or fails."""

    status = 502


class UpstreamTimeout(UpstreamError):
    """A store behind govkg did not answer in time."""

    status = 504
