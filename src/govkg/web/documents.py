"""Documents with several representations: HTML and RDF formats, by extension or by Accept.

``/ontology.ttl`` names one representation; ``/ontology`` negotiates one and says which
in ``Content-Location``. Every such response but JSON-LD lists the others in ``Link``
headers: pyld (3.3), the JSON-LD processor for Python, fails to load a JSON-LD document
that has more than one ``rel="alternate"`` link (its loader reads them as one dict).

JSON-LD is compacted (``@context`` of prefixes, the document's subject as top node) unless
the client asks for ``profile="http://www.w3.org/ns/json-ld#expanded"``. A quad document
(TriG, N-Quads) keeps each statement in its named graph, which says where it comes from
(asserted, inferred, ontology …), and repeats the statements in its default graph, so that a
client reading only the default graph (Comunica, the SPARQL default of most stores) sees
the same description as in Turtle. Every RDF document may be cached for ``max-age`` seconds
and revalidated by its ETag: it changes only with the build. Documents are kept for reuse
and their conditional GETs answered from the key (``govkg.web.page_cache``).
"""

from collections.abc import Callable, Iterable, Sequence

from flask import Response, request
from pyoxigraph import DefaultGraph, Quad, RdfFormat
from werkzeug.exceptions import NotFound

from govkg.formats import Format, formats_of, serialise_quads
from govkg.web import page_cache
from govkg.web.negotiation import HTML, JSON_LD_PROFILES, jsonld_profile, pick

RDF_FORMATS = formats_of("graph", "dataset")
CACHE_SECONDS = 3600  # documents change only with the build; the ETag revalidates them
CACHE_CONTROL = f"public, max-age={CACHE_SECONDS}"


def in_order(quads: Iterable[Quad]) -> list[Quad]:
    """Quads in a stable order, so equal content gives equal bytes (and equal ETags)."""
    return sorted(quads, key=lambda q: (str(q.subject), str(q.predicate), str(q.object),
                                        str(q.graph_name)))


def with_default_graph(quads: list[Quad]) -> list[Quad]:
    """The quads, then each distinct triple once more in the default graph."""
    triples = dict.fromkeys(q.triple for q in quads if not isinstance(q.graph_name, DefaultGraph))
    return [*quads, *(Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples)]


def rdf_response(quads: Iterable[Quad], fmt: Format,
                 prefixes: dict[str, str] | None = None, about: str = "") -> Response:
    """``about``: the document's subject, the top node of compacted JSON-LD."""
    ordered = in_order(quads)
    if fmt.kind == "dataset":
        ordered = with_default_graph(ordered)
    profile = jsonld_profile() if fmt.oxigraph == RdfFormat.JSON_LD else None
    body = serialise_quads(ordered, fmt, prefixes,
                           compact_about=about if profile == "compacted" else None)
    response = Response(body, mimetype=fmt.media_type)
    if profile is not None:
        response.headers["Content-Type"] = \
            f'{fmt.media_type}; profile="{JSON_LD_PROFILES}{profile}"'
    return response


def alternate_links(path: str, formats: Sequence[Format], html: bool) -> list[str]:
    root = request.script_root
    links = [f'<{root}{path}.html>; rel="alternate"; type="{HTML}"'] if html else []
    links += [f'<{root}{path}.{f.extension}>; rel="alternate"; type="{f.media_type}"'
              for f in formats]
    return links


def find_by_extension(formats: Sequence[Format], ext: str) -> Format | None:
    return next((f for f in formats if f.extension == ext), None)


def representation(path: str, ext: str | None, formats: Sequence[Format], html: bool,
                   html_first: bool) -> tuple[Format | None, str]:
    """The format ``ext`` names, or the one negotiated (None: HTML), and its extension."""
    if ext is None:
        fmt = pick(formats, html=html, html_first=html_first)
        return fmt, "html" if fmt is None else fmt.extension
    if ext == "html" and html:
        return None, ext
    fmt = find_by_extension(formats, ext)
    if fmt is None:
        raise NotFound(f"There is no .{ext} version of {path}.")
    return fmt, ext


def document(path: str, ext: str | None, *, quads: Callable[[], Iterable[Quad]],
             html: Callable[[], str] | None = None, formats: Sequence[Format] = RDF_FORMATS,
             html_first: bool = True, prefixes: dict[str, str] | None = None,
             about: str = "") -> Response:
    """The document at ``path`` in the representation ``ext`` names, or the one negotiated:
    304 when the client holds it, else kept (``govkg.web.page_cache``) or made now."""
    fmt, chosen_ext = representation(path, ext, formats, html is not None, html_first)
    profile = jsonld_profile() if fmt is not None and fmt.oxigraph == RdfFormat.JSON_LD else ""
    key = page_cache.key_of("html" if fmt is None else fmt.name, fmt is None, profile)
    if key is not None and page_cache.not_modified(key):
        response = Response(status=304, mimetype=HTML if fmt is None else fmt.media_type)
    else:
        response = page_cache.kept(key) if key is not None else None
        if response is None:
            if fmt is None:
                assert html is not None
                response = Response(html(), mimetype=HTML)
            else:
                response = rdf_response(quads(), fmt, prefixes, about)
            if key is not None:
                page_cache.keep(key, response)
    if key is not None:
        response.headers["ETag"] = key.etag
    if fmt is not None:
        response.headers["Cache-Control"] = CACHE_CONTROL  # pages vary with language too
    if ext is None:
        response.headers["Content-Location"] = request.script_root + f"{path}.{chosen_ext}"
    if fmt is None or fmt.oxigraph != RdfFormat.JSON_LD:
        for link in alternate_links(path, formats, html is not None):
            response.headers.add("Link", link)
    return response
