"""The web face: SPARQL endpoint, linked-data pages, dumps and dataset descriptions.

One blueprint per area (``errors``, ``browse``, ``sparql``, ``pages``, ``ontology``,
``dumps``, ``describe``); ``govkg.create_app`` registers them all.
"""
