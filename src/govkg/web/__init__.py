"""The web face: SPARQL endpoint, linked-data pages, dumps and dataset descriptions.

- ``app``: ``create_app``, the factory;
- ``views/``: one blueprint per URL family;
- ``serve/``: the process machinery (gunicorn, the query workers); no Flask in it;
- the rest: helpers the views share (site state, content negotiation, documents, display,
  charts, errors, security headers, languages).
"""
