"""``govkg serve``: the app on gunicorn, with everything heavy built once in the master.

The master builds the graph, the dumps and the SHACL report (all cached by input hash)
before it forks; each worker then opens its own store from the cached build and starts its
query workers (``govkg.web.serve.query_pool``), on a CPU of its own when there are enough
workers for every CPU (``govkg.web.serve.cpu_affinity``); new connections are spread evenly
over the workers (``govkg.web.serve.balanced_worker``). The master also makes a runtime directory
that all processes share: Prometheus's multiprocess files and the per-client query slots.
"""

import gc
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from govkg.errors import GovkgError
from govkg.prebuilt import prepare
from govkg.store import open_store
from govkg.vocab import BASE
from govkg.web.forwarded import parse_networks
from govkg.web.serve.access_log import AccessLogger
from govkg.web.serve.balanced_worker import BalancedThreadWorker, ConnectionBoard
from govkg.web.serve.cpu_affinity import choose_cpu, pin_process
from govkg.web.serve.query_worker import can_isolate, needs_network
from govkg.web.serve.request_reader import MAX_REQUEST_LINE

TIMEOUT_SECONDS = 120
# threads only run the app (requests are read by the event loop, reading_worker), and a
# heavy client holds a few at most (lanes): the rest keep pages and quick queries going
THREADS_PER_WORKER = 16
# the access log: client, request, status, bytes, total ms, request id, app and query time
# (``AccessLogger`` makes just these fields)
ACCESS_LOG_FORMAT = ('%(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}o)s '
                     'timing="%({server-timing}o)s"')


class GovkgServer(BaseApplication):
    """gunicorn, configured in code: no config file, no ``wsgi.py``."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.board = ConnectionBoard(int(settings["workers"]))
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        options = {
            "bind": f"{s['host']}:{s['port']}",
            "workers": int(s["workers"]),
            "worker_class": BalancedThreadWorker,
            "threads": THREADS_PER_WORKER,
            "timeout": TIMEOUT_SECONDS,
            "graceful_timeout": 10,
            "accesslog": "-",  # gunicorn writes both logs to stderr
            "access_log_format": ACCESS_LOG_FORMAT,
            "logger_class": AccessLogger,
            "limit_request_line": MAX_REQUEST_LINE,
            # gunicorn's control socket (``worker add``, ``kill``, ``shutdown``) sat at one
            # path per user, shared and deleted by every server on the host: govkg is
            # stopped and scaled by signals and options, so it has none
            "control_socket_disable": True,
            # gunicorn believed X-Forwarded-Proto from loopback by default: only from the
            # operator's trusted proxies (``govkg.web.forwarded`` reads the client address)
            "forwarded_allow_ips": proxy_addresses(s),
            "errorlog": "-",
            "preload_app": False,
            "proc_name": "govkg",
            "when_ready": self.announce,
            "pre_fork": self.place_worker,
            "post_fork": self.take_cpu,
            "child_exit": self.forget_worker,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def announce(self, arbiter: Any) -> None:
        """Say where we listen, once the socket is bound."""
        host, port = self.settings["host"], arbiter.LISTENERS[0].sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        url = self.settings.get("base_url") or f"http://{shown}:{port}/"
        print(f"govkg: serving {BASE} at {url} ({self.cfg.workers} workers)", flush=True)

    def place_worker(self, arbiter: Any, worker: Any) -> None:
        """In the master: the CPU the new worker keeps (``govkg.web.serve.cpu_affinity``) and its
        slot on the connection board (``govkg.web.serve.balanced_worker``)."""
        live = arbiter.WORKERS.values()
        worker.cpu = choose_cpu(arbiter.num_workers, [getattr(w, "cpu", None) for w in live])
        worker.board = self.board
        worker.board_slot = self.board.free_slot(getattr(w, "board_slot", None) for w in live)

    @staticmethod
    def take_cpu(arbiter: Any, worker: Any) -> None:
        """In the new worker, before it starts threads or query workers."""
        pin_process(worker.cpu)

    def forget_worker(self, arbiter: Any, worker: Any) -> None:
        """In the master, once a worker has exited: free its slot and its metrics files."""
        from prometheus_client import multiprocess

        self.board.release(worker.board_slot)
        multiprocess.mark_process_dead(worker.pid)

    def load(self) -> Any:
        # in each worker, after the fork: the master never loads Flask or the views
        from govkg.web.app import create_app

        return create_app(self.settings)


def check_confinement(settings: dict[str, Any]) -> None:
    """Refuse to serve where query workers would have the network and nobody allowed it:
    then only the keyword guard would keep SERVICE from fetching."""
    if needs_network(settings) or settings.get("allow_unconfined") or can_isolate():
        return
    raise GovkgError("query workers cannot be cut off from the network here (unshare of a "
                     "network namespace is refused): serve with --allow-unconfined to run user "
                     "queries anyway, only behind the SERVICE keyword check")


def proxy_addresses(settings: dict[str, Any]) -> str:
    """The trusted proxies as gunicorn's ``forwarded_allow_ips``; none by default (gunicorn
    believed X-Forwarded-Proto from loopback)."""
    try:
        return ",".join(str(n) for n in parse_networks(settings.get("trusted_proxies")))
    except ValueError as error:
        raise GovkgError(f"trusted proxies: {error}") from None


def serve(settings: dict[str, Any]) -> None:
    """Build what the workers need, then run gunicorn until it is stopped."""
    runtime = Path(tempfile.mkdtemp(prefix="govkg-serve-"))
    (runtime / "metrics").mkdir()
    # before any process imports prometheus_client, which reads it once
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(runtime / "metrics")
    check_confinement(settings)
    proxy_addresses(settings)  # a bad address is one line, before anything is built
    try:
        store = open_store(settings)
        prepare(settings, store)
        del store
        gc.collect()
        sys.argv = sys.argv[:1]  # gunicorn must not read govkg's own options
        GovkgServer({**settings, "runtime_dir": str(runtime)}).run()
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
