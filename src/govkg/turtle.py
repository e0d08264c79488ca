"""Read the Turtle source files into rdflib graphs, naming the file and line of any error."""

from pathlib import Path

import pyoxigraph
from rdflib import Graph

from govkg.errors import DataFileError


def _syntax_error(path: Path, error: Exception) -> DataFileError:
    """Turn a parser's complaint into one line naming the file and the line.

    Oxigraph's parser gives the more precise message (line and column), so ask it first.
    """
    try:
        for _ in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE):
            pass
    except SyntaxError as ox_error:
        message = str(ox_error).removeprefix("Parser error ")
        return DataFileError(str(path), ox_error.lineno, message)
    line = getattr(error, "lines", None)
    why = getattr(error, "_why", None) or str(error).splitlines()[0]
    return DataFileError(str(path), line + 1 if isinstance(line, int) else None, why)


def read_turtle(paths: tuple[Path, ...] | list[Path], into: Graph | None = None) -> Graph:
    """Parse each file into one graph; the first broken file raises ``DataFileError``."""
    graph = into if into is not None else Graph()
    for path in paths:
        try:
            graph.parse(path, format="turtle")
        except FileNotFoundError as error:
            raise DataFileError(str(path), None, "no such file") from error
        except UnicodeDecodeError as error:
            raise DataFileError(str(path), None, f"not UTF-8 text ({error.reason})") from error
        except Exception as error:  # rdflib raises several kinds for bad syntax
            raise _syntax_error(path, error) from error
    return graph
