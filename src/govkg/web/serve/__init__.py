"""The serving machinery: processes, not pages. No module here imports Flask.

``server`` (gunicorn, its hooks), ``balanced_worker`` (connections spread over the workers),
``access_log``, ``cpu_affinity``, ``query_pool`` and ``query_worker`` (killable query
processes with no network), ``channel`` (their pipe), ``client_slots`` (per-client limits).
"""
