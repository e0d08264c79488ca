"""The throughput floor: the least a Flask app on gunicorn can do to answer a SPARQL query.

One route, ``/sparql?query=…``, runs the query on an in-memory pyoxigraph store loaded from
``FLOOR_DUMP`` (N-Quads) and answers SPARQL JSON (or N-Triples for graphs). No content
negotiation, no checks, no templates: what govkg's endpoint costs beyond this is its own
overhead. ``bench/endpoint.py`` runs it as

    FLOOR_DUMP=dump.nq gunicorn --chdir bench -w 2 -k gthread --threads 4 'floor_app:create()'
"""

import os

import pyoxigraph
from flask import Flask, Response, request
from pyoxigraph import QueryResultsFormat, QueryTriples, RdfFormat

from govkg.vocab import PREFIXES  # queries may use govkg's predeclared prefixes here too


def create() -> Flask:
    store = pyoxigraph.Store()
    store.bulk_load(path=os.environ["FLOOR_DUMP"], format=RdfFormat.N_QUADS)
    app = Flask(__name__)

    @app.get("/sparql")
    def sparql() -> Response:
        result = store.query(request.args["query"], prefixes=PREFIXES,
                             use_default_graph_as_union=True)
        if isinstance(result, QueryTriples):
            return Response(result.serialize(format=RdfFormat.N_TRIPLES),
                            mimetype="application/n-triples")
        return Response(result.serialize(format=QueryResultsFormat.JSON),
                        mimetype="application/sparql-results+json")

    return app
