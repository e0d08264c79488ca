"""The serving machinery: processes, not pages, used by ``govkg.web.server``. No module
here imports Flask or anything of the web app.

``balanced_worker`` (connections spread over the workers) on ``reading_worker`` and
``request_reader`` (requests read whole by an event loop before a thread takes them),
``refusals`` (gunicorn's own refusals with the security headers), ``access_log``,
``health``, ``cpu_affinity``, ``query_pool`` and ``query_worker`` (killable query processes
with no network), ``lanes`` (a fair, bounded wait for them), ``channel`` (their pipe),
``client_slots`` (per-client limits), ``result_cache`` (answers shared by a server's
processes).
"""
