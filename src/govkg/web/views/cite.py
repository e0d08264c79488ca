"""Citations: ``/cite.bib``, ``/cite.json`` (CSL-JSON), ``/cite.ris`` for govkg as a whole
(the dataset VoID and DCAT describe, by its IRI), or for one entity with ``?iri=``, as
downloads a reference manager imports."""

from datetime import UTC, datetime

from flask import Blueprint, Response, request
from flask_babel import gettext as _
from pyoxigraph import NamedNode
from werkzeug.exceptions import BadRequest, NotFound

from govkg.vocab import DATASET_IRI, ID
from govkg.web.citation import FORMATS, Citation
from govkg.web.display import Labeller, page_language
from govkg.web.entity import is_known
from govkg.web.site import current_site

bp = Blueprint("cite", __name__)


def citation_for(iri: str | None) -> Citation:
    """The citation of ``iri`` (an entity under ``/id/``) or, without one, of the dataset."""
    today = datetime.now(UTC).date()
    lang = page_language()
    if not iri:
        return Citation(_("govkg: China's provincial digital government as linked data"),
                        DATASET_IRI, lang, today)
    if not iri.startswith(ID):
        raise BadRequest(_("iri must name an entity under %(id)s.", id=ID))
    try:
        node = NamedNode(iri)
    except ValueError as error:
        raise BadRequest(_("%(iri)r is not a valid IRI.", iri=iri)) from error
    store = current_site().store
    if not is_known(store, node):
        raise NotFound(_("Nothing is known about <%(iri)s>.", iri=iri))
    return Citation(Labeller(store, lang).label(node), iri, lang, today)


@bp.route("/cite.<ext>")
def download(ext: str) -> Response:
    if ext not in FORMATS:
        raise NotFound(_("Citations come as %(formats)s.", formats=", ".join(
            f"/cite.{e}" for e in FORMATS)))
    citation = citation_for(request.args.get("iri"))
    response = Response(citation.as_format(ext), mimetype=FORMATS[ext])
    response.headers["Content-Disposition"] = f'attachment; filename="{citation.key}.{ext}"'
    return response
