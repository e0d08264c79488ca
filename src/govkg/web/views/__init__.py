"""The views: one blueprint per URL family, registered by ``govkg.web.app.create_app``.

``browse`` (home, provinces, classes, entity lists), ``pages`` (an entity IRI: HTML or RDF),
``sparql`` (the endpoint and editor), ``completions`` (the editor's completions), ``find``
(search), ``ontology`` (ontology, shapes, validation), ``describe`` (VoID, DCAT), ``dumps``,
``timeline``, ``compare``, ``figures``, ``metrics`` (Prometheus).
"""
