"""The web app factory: resolve the settings, open the store, register one blueprint per
URL family (``govkg.web.views``).

The response hooks run in registration order: ``security`` first (request id, the
per-request clock), then ``metrics``, ``errors``, and ``i18n``'s language cookie;
compression last, on the finished response.
"""

from typing import Any

from flask import Flask

from govkg.settings import load_settings
from govkg.store import open_store
from govkg.web import security
from govkg.web.compression import init_compression
from govkg.web.errors import bp as errors_bp
from govkg.web.i18n import init_i18n
from govkg.web.prose import init_prose
from govkg.web.serve.health import Health
from govkg.web.serve.query_pool import make_pool
from govkg.web.site import make_site
from govkg.web.static_files import init_static
from govkg.web.views import (
    browse,
    cite,
    compare,
    completions,
    describe,
    dumps,
    figures,
    find,
    metrics,
    ontology,
    pages,
    sparql,
    timeline,
)
from govkg.web.views.sparql_lane import SparqlLane


def create_app(settings: dict[str, Any] | None = None) -> Flask:
    """The web app for ``settings`` (defaults < file < ``GOVKG_*`` environment < this dict)."""
    resolved = load_settings(settings)
    app = Flask("govkg.web", static_folder="static", template_folder="templates")
    app.config["GOVKG"] = resolved
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False
    app.extensions["govkg"] = make_site(resolved, open_store(resolved))
    app.extensions[sparql.POOL] = make_pool(resolved)
    init_compression(app)
    init_i18n(app)
    init_static(app)
    init_prose(app)
    app.wsgi_app = SparqlLane(app, app.wsgi_app)  # inside the hooks' middleware, below
    for blueprint in (security.bp, metrics.bp, errors_bp, browse.bp, sparql.bp, pages.bp,
                      ontology.bp, dumps.bp, describe.bp, completions.bp, find.bp, timeline.bp,
                      compare.bp, figures.bp, cite.bp):
        app.register_blueprint(blueprint)
    app.wsgi_app = Health(app.wsgi_app)  # outermost: probes never reach the app
    return app
