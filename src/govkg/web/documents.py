"""Documents with several representations: HTML and RDF formats, by extension or by Accept.

``/ontology.ttl`` names one representation; ``/ontology`` negotiates one and says which
in ``Content-Location``. Every such response lists the others in ``Link`` headers.
"""

from collections.abc import Callable, Iterable, Sequence

from flask import Response, request
from pyoxigraph import Quad
from werkzeug.exceptions import NotFound

from govkg.formats import Format, formats_of, serialise_quads
from govkg.web.negotiation import HTML, pick

RDF_FORMATS = formats_of("graph", "dataset")


def in_order(quads: Iterable[Quad]) -> list[Quad]:
    """Quads in a stable order, so equal content gives equal bytes (and equal ETags)."""
    return sorted(quads, key=lambda q: (str(q.subject), str(q.predicate), str(q.object),
                                        str(q.graph_name)))


def rdf_response(quads: Iterable[Quad], fmt: Format,
                 prefixes: dict[str, str] | None = None) -> Response:
    body = serialise_quads(in_order(quads), fmt, prefixes)
    return Response(body, mimetype=fmt.media_type)


def alternate_links(path: str, formats: Sequence[Format], html: bool) -> list[str]:
    root = request.script_root
    links = [f'<{root}{path}.html>; rel="alternate"; type="{HTML}"'] if html else []
    links += [f'<{root}{path}.{f.extension}>; rel="alternate"; type="{f.media_type}"'
              for f in formats]
    return links


def find_by_extension(formats: Sequence[Format], ext: str) -> Format | None:
    return next((f for f in formats if f.extension == ext), None)


def document(path: str, ext: str | None, *, quads: Callable[[], Iterable[Quad]],
             html: Callable[[], str] | None = None, formats: Sequence[Format] = RDF_FORMATS,
             html_first: bool = True, prefixes: dict[str, str] | None = None) -> Response:
    """The document at ``path`` in the representation ``ext`` names, or the one negotiated."""
    if ext is None:
        fmt = pick(formats, html=html is not None, html_first=html_first)
        chosen_ext = "html" if fmt is None else fmt.extension
    elif ext == "html" and html is not None:
        fmt, chosen_ext = None, ext
    else:
        fmt, chosen_ext = find_by_extension(formats, ext), ext
        if fmt is None:
            raise NotFound(f"There is no .{ext} version of {path}.")
    if fmt is None:
        assert html is not None
        response = Response(html(), mimetype=HTML)
    else:
        response = rdf_response(quads(), fmt, prefixes)
    if ext is None:
        response.headers["Content-Location"] = request.script_root + f"{path}.{chosen_ext}"
    for link in alternate_links(path, formats, html is not None):
        response.headers.add("Link", link)
    return response
