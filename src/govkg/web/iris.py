"""The one mapping between IRIs under the base IRI and paths on this server.

``https://w3id.org/govkg/id/platform/beijingtong`` is served at ``/id/platform/beijingtong``
and ``https://w3id.org/govkg/ontology#Province`` at ``/ontology#Province``, whatever the
host: pages link to server-local paths, and absolute URLs use ``base_url`` when it is set.
"""

from urllib.parse import quote

from flask import current_app, request

from govkg.vocab import BASE

_SAFE = "/#:@!$&'()*+,;=-._~%"


def local_path(iri: str) -> str | None:
    """The server path of an IRI under the base IRI, or None for anyone else's IRI."""
    if not iri.startswith(BASE):
        return None
    return "/" + quote(iri[len(BASE):], safe=_SAFE)


def href(iri: str) -> str | None:
    """A link to an IRI from a page: the server path for ours, None for others."""
    path = local_path(iri)
    return None if path is None else request.script_root + path


def public_url(path: str) -> str:
    """The absolute URL of a server path, from ``base_url`` or else the request's host."""
    base = current_app.config["GOVKG"].get("base_url")
    if base:
        return base.rstrip("/") + path
    return request.host_url.rstrip("/") + request.script_root + path
