"""``govkg serve``: the app on gunicorn, with everything heavy built once in the master.

The master builds the graph, the dumps and the SHACL report (all cached by input hash)
before it forks; each worker then opens its own store from the cached build.
"""

import gc
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from govkg.vocab import BASE

TIMEOUT_SECONDS = 120
THREADS_PER_WORKER = 4


class GovkgServer(BaseApplication):
    """gunicorn, configured in code: no config file, no ``wsgi.py``."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        options = {
            "bind": f"{s['host']}:{s['port']}",
            "workers": int(s["workers"]),
            "worker_class": "gthread",
            "threads": THREADS_PER_WORKER,
            "timeout": TIMEOUT_SECONDS,
            "graceful_timeout": 10,
            "accesslog": "-",  # gunicorn writes both logs to stderr
            "errorlog": "-",
            "preload_app": False,
            "proc_name": "govkg",
            "when_ready": self.announce,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def announce(self, arbiter: Any) -> None:
        """Say where we listen, once the socket is bound."""
        host, port = self.settings["host"], arbiter.LISTENERS[0].sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        url = self.settings.get("base_url") or f"http://{shown}:{port}/"
        print(f"govkg: serving {BASE} at {url} ({self.cfg.workers} workers)", flush=True)

    def load(self) -> Any:
        from govkg import create_app

        return create_app(self.settings)


def serve(settings: dict[str, Any]) -> None:
    """Build what the workers need, then run gunicorn until it is stopped."""
    from govkg.prebuilt import prepare
    from govkg.store import open_store

    store = open_store(settings)
    prepare(settings, store)
    del store
    gc.collect()
    sys.argv = sys.argv[:1]  # gunicorn must not read govkg's own options
    GovkgServer(settings).run()
