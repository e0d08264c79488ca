"""govkg: the open knowledge graph of China's provincial digital government."""

from typing import Any

from flask import Flask

__version__ = "0.1.0"


def create_app(settings: dict[str, Any] | None = None) -> Flask:
    """The web app: resolve the settings, open the store, register one blueprint per area."""
    from govkg.settings import load_settings
    from govkg.store import open_store
    from govkg.web import (
        browse,
        compare,
        completions,
        describe,
        dumps,
        errors,
        figures,
        find,
        metrics,
        ontology,
        pages,
        security,
        sparql,
        timeline,
    )
    from govkg.web.i18n import init_i18n
    from govkg.web.query_pool import make_pool
    from govkg.web.site import make_site

    resolved = load_settings(settings)
    app = Flask("govkg.web", static_folder="static", template_folder="templates")
    app.config["GOVKG"] = resolved
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False
    app.extensions["govkg"] = make_site(resolved, open_store(resolved))
    app.extensions[sparql.POOL] = make_pool(resolved)
    init_i18n(app)
    for blueprint in (security.bp, metrics.bp, errors.bp, browse.bp, sparql.bp, pages.bp,
                      ontology.bp, dumps.bp, describe.bp, completions.bp, find.bp, timeline.bp,
                      compare.bp, figures.bp):
        app.register_blueprint(blueprint)
    return app
