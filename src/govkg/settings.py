"""Settings in one place: each has a name, a default and a help text.

Precedence: defaults < ``GOVKG_<NAME>`` environment variables < explicit values
(command-line options, or the dict a test passes to ``create_app``).
"""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def _default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "govkg")


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env_var(self) -> str:
        return "GOVKG_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("root", None,
            "Directory holding ontology/, data/ and shapes/ (default: the bundled ones)."),
    Setting("cache_dir", _default_cache_dir(),
            "Where built graphs are cached, by a hash of their inputs."),
    Setting("host", "127.0.0.1", "Address the server listens on."),
    Setting("port", 8000, "Port the server listens on."),
    Setting("workers", 2, "Number of server worker processes."),
    Setting("base_url", None, "Public URL of the server, when it differs from the request's host."),
    Setting("store", None,
            "Directory of a persistent Oxigraph store (made by `govkg load`) to serve read-only "
            "instead of the built-in graphs."),
    Setting("endpoint", None,
            "URL of an external SPARQL 1.1 endpoint (Virtuoso, Fuseki, QLever …) holding "
            "govkg's named graphs, to serve instead of the embedded store."),
    Setting("query_timeout", 30,
            "Seconds a SPARQL query may run before it is stopped (its worker is killed) and "
            "answered with 503."),
    Setting("max_rows", 10000,
            "Most result rows (solutions or triples) the query page and its editor show; more "
            "are cut off and the page says so. Other clients get complete results."),
    Setting("max_result_bytes", 256 << 20,
            "Largest SPARQL result sent to a client (bytes); a larger one is refused with 507, "
            "or, once its first part was streamed, ends incomplete: never cut short unseen."),
    Setting("query_workers", 2,
            "Query worker processes per server worker: user queries run there, never in the "
            "web process."),
    Setting("heavy_queries_per_client", 2,
            "Queries running longer than a second that one client may have at once (429 "
            "beyond)."),
    Setting("service_allow", "",
            "Space-separated endpoint IRIs that SPARQL SERVICE may call (default: none, "
            "SERVICE is refused)."),
    Setting("allowed_hosts", "",
            "Space-separated host names the server answers for (a leading dot matches "
            "subdomains: .example.org); a request naming another host gets 400 (default: "
            "any host; production sets this and base_url)."),
    Setting("trusted_proxies", "",
            "Space-separated addresses or networks of reverse proxies whose X-Forwarded-For, "
            "X-Forwarded-Proto and Forwarded headers are believed (default: none)."),
    Setting("allow_unconfined", False,
            "Run user queries even where a query worker cannot be cut off from the network "
            "(no network namespace); by default such a server refuses to start."),
    Setting("query_memory_mb", 0,
            "Most memory (MiB) one query worker may use; a query needing more is stopped with "
            "503 (default 0: the machine's memory shared among all query workers)."),
    Setting("result_cache_mb", 64,
            "Megabytes of SPARQL answers and documents (pages, RDF documents) kept for reuse, "
            "shared by the server's processes, "
            "until the next build (0: no cache; always off with an external endpoint)."),
    Setting("runtime_dir", None,
            "Directory for state the server processes share (made by `govkg serve`)."),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def load_settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Resolve every setting from its default, the environment and ``overrides``."""
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        value = os.environ.get(setting.env_var, setting.default)
        if isinstance(setting.default, bool) and isinstance(value, str):
            value = value.strip().lower() in ("1", "true", "yes", "on")
        elif isinstance(setting.default, int) and isinstance(value, str):
            value = int(value)
        values[setting.name] = value
    for name, value in (overrides or {}).items():
        if name not in _BY_NAME:
            raise KeyError(f"unknown setting {name!r}")
        if value is not None:
            values[name] = value
    return values


def root_path(settings: dict[str, Any]) -> Path | None:
    return Path(settings["root"]) if settings.get("root") else None
