"""The yardstick for ``pool_overhead.py``: the least Flask app answering SPARQL from pyoxigraph.

No settings, no checks, no headers, the query in-process: what Flask + gunicorn + pyoxigraph
reach on this machine. Served by ``gunicorn minimal_ask_app:app`` from ``bench/``, with the
N-Quads file to load in ``GOVKG_BENCH_NQUADS``.
"""

import os

import pyoxigraph
from flask import Flask, Response, request

from govkg.vocab import PREFIXES

store = pyoxigraph.Store()
store.bulk_load(path=os.environ["GOVKG_BENCH_NQUADS"], format=pyoxigraph.RdfFormat.N_QUADS)
app = Flask(__name__)


@app.route("/sparql")
def sparql() -> Response:
    result = store.query(request.args["query"], prefixes=PREFIXES,
                         use_default_graph_as_union=True)
    return Response(result.serialize(format=pyoxigraph.QueryResultsFormat.JSON),
                    mimetype="application/sparql-results+json")
