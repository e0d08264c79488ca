"""A pool of query worker processes that can be killed: the only place user queries run.

Each web process keeps ``size`` persistent workers (``govkg.web.serve.query_worker``), each
reached over a socket pair (``govkg.web.serve.channel``): a job goes in, serialised bytes come
back.
A query past its time limit gets its worker killed with SIGKILL, which frees the CPU at
once, and a fresh worker is started in the background. A query that runs past
``HEAVY_AFTER_SECONDS`` must hold one of its client's slots (``govkg.web.serve.client_slots``),
else it is stopped with ``TooManyHeavyQueries``. A worker keeps its web process's CPU
(``govkg.web.serve.cpu_affinity``) while it answers quick queries; one still running after
``LOOSE_AFTER_SECONDS`` may use every CPU until it is done. Which waiting query gets a free
worker is decided by ``govkg.web.serve.lanes`` (bounded, fair, and one worker kept from
heavy clients); a heavy client with no free slot is refused before its query runs, and a
query that crashes its worker counts against its client. On SIGTERM the running queries are
stopped (``stop_all_queries``) and answered 503 before the process exits: the graceful
timeout (10 s) is shorter than a query's (30 s). All workers are started by one
long-lived thread, because a worker dies with the thread that forked it
(``PR_SET_PDEATHSIG``).
"""

import atexit
import logging
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govkg.web.serve import cpu_affinity
from govkg.web.serve.channel import Channel
from govkg.web.serve.client_slots import ClientSlots, NoSlotFree
from govkg.web.serve.lanes import Lanes
from govkg.web.serve.lanes import PoolBusy as PoolBusy  # raised by run(), caught by views
from govkg.web.serve.query_worker import QueryAnswer, QueryJob, needs_network

LOOSE_AFTER_SECONDS = 0.02  # a query still running then may leave its web worker's CPU
HEAVY_AFTER_SECONDS = 1.0
STARTUP_LIMIT_SECONDS = 300.0
RESTART_PAUSE_SECONDS = 1.0
# how much longer than the time limit a query may wait for a worker: a busy one is free
# within the limit, a new one (at start, or replacing a killed one) needs a few seconds
WORKER_WAIT_GRACE_SECONDS = 15.0
log = logging.getLogger("govkg.query_pool")
# a fresh interpreter running ``query_worker.main``
WORKER_COMMAND = (sys.executable, "-c", "from govkg.web.serve.query_worker import main; main()")


class QueryTimedOut(Exception):
    """The query ran past the limit; its worker was killed."""


class WorkerDied(Exception):
    """The worker died during the query (out of memory, or killed from outside)."""


class ServerStopping(PoolBusy):
    """The server is stopping: the query was stopped, or not started."""


class TooManyHeavyQueries(Exception):
    """The client already runs as many heavy queries as it may; this one was stopped."""


@dataclass(eq=False)  # compared and hashed by identity: kept in a set
class Worker:
    process: subprocess.Popen
    channel: Channel
    isolated: bool  # whether it runs without a network

    def answered_within(self, seconds: float) -> bool:
        """Whether the answer (or the end of the pipe) arrives within ``seconds``."""
        return self.channel.ready_within(seconds)

    def spread(self) -> None:
        cpu_affinity.spread(self.process.pid)

    def pin(self) -> None:
        cpu_affinity.pin(self.process.pid)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        self.channel.close()


class QueryPool:
    def __init__(self, settings: dict[str, Any], size: int, slots: ClientSlots) -> None:
        self.settings = settings
        self.size = size
        self.slots = slots
        self.lanes = Lanes(size)  # who gets the next free worker
        self._busy: set[Worker] = set()  # workers running a query now
        self.stopping = False
        self._to_start: queue.Queue[None] = queue.Queue()
        self._workers: set[Worker] = set()
        self._lock = threading.Lock()
        self._starter = threading.Thread(target=self._start_workers, name="query-pool",
                                         daemon=True)
        for _ in range(size):
            self._to_start.put(None)
        self._starter.start()
        atexit.register(self.close)
        _POOLS.append(self)

    def run(self, job: QueryJob, client: str, timeout: float) -> QueryAnswer:
        """``job``'s answer; raises one of this module's exceptions when it has none."""
        if self.stopping:
            raise ServerStopping
        if self.lanes.is_heavy(client) and not self.slots.has_free(client):
            raise TooManyHeavyQueries  # refused before it runs: no worker is stopped
        worker = self.lanes.take(client, timeout + WORKER_WAIT_GRACE_SECONDS)
        with self._lock:
            self._busy.add(worker)
        try:
            answer, reusable = self._run_on(worker, job, client, timeout)
        finally:
            with self._lock:
                self._busy.discard(worker)
        if reusable:
            self.lanes.put(worker)
        return answer

    def _run_on(self, worker: Worker, job: QueryJob, client: str, timeout: float
                ) -> tuple[QueryAnswer, bool]:
        """The answer, and whether the worker may run the next query (else it is being
        replaced)."""
        started = time.monotonic()
        deadline = started + timeout
        try:
            worker.channel.send(job)
            if not worker.answered_within(min(LOOSE_AFTER_SECONDS, timeout)):
                worker.spread()  # not a quick one: it may use every CPU
                heavy_at = started + min(HEAVY_AFTER_SECONDS, timeout)
                if not worker.answered_within(heavy_at - time.monotonic()):
                    self.lanes.mark_heavy(client)
                    cpu_affinity.lower(worker.process.pid)  # pages and quick queries first
                    with self.slots.hold(client):
                        if not worker.answered_within(deadline - time.monotonic()):
                            raise QueryTimedOut
                    if not cpu_affinity.restore(worker.process.pid):
                        answer = worker.channel.receive()
                        self._replace(worker)  # it cannot get its priority back
                        return answer, False
                worker.pin()
            answer = worker.channel.receive()
        except NoSlotFree:
            self._replace(worker)
            raise TooManyHeavyQueries from None
        except QueryTimedOut:
            self._replace(worker)
            raise
        except (EOFError, OSError):
            self._replace(worker)
            if self.stopping:
                raise ServerStopping from None
            self.lanes.mark_heavy(client)  # a crash counts against the client like a timeout
            raise WorkerDied from None
        return answer, True

    def stop_queries(self) -> None:
        """The server is stopping: stop every running query (each is answered 503 before
        the web process exits) and start no more."""
        self.stopping = True
        with self._lock:
            busy = list(self._busy)
        for worker in busy:
            worker.process.kill()

    def wait_until_ready(self, limit: float = STARTUP_LIMIT_SECONDS) -> bool:
        """Wait until every worker runs (or ``limit`` passes); whether they all do."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            with self._lock:
                if len(self._workers) >= self.size:
                    return True
            time.sleep(0.05)
        return False

    def _replace(self, worker: Worker) -> None:
        with self._lock:
            self._workers.discard(worker)
        worker.stop()
        self._to_start.put(None)

    def _start_workers(self) -> None:
        while True:
            wanted = [self._to_start.get()]
            while not self._to_start.empty():  # start all that are due at once
                wanted.append(self._to_start.get())
            launched = []
            for _ in wanted:
                try:
                    launched.append(self._launch())
                except OSError as error:
                    log.error("a query worker failed to start (%s); trying again", error)
                    self._retry_later()
            for process, channel in launched:
                try:
                    worker = self._handshake(process, channel)
                except (OSError, EOFError) as error:
                    log.error("a query worker failed to start (%s); trying again", error)
                    self._retry_later()
                    continue
                with self._lock:
                    self._workers.add(worker)
                self.lanes.put(worker)

    def _retry_later(self) -> None:
        time.sleep(RESTART_PAUSE_SECONDS)
        self._to_start.put(None)

    def _launch(self) -> tuple[subprocess.Popen, Channel]:
        ours, theirs = socket.socketpair()
        with theirs:
            process = subprocess.Popen(
                [*WORKER_COMMAND, str(theirs.fileno()), str(os.getpid())],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
        channel = Channel(ours)
        channel.send(self.settings)
        return process, channel

    def _handshake(self, process: subprocess.Popen, channel: Channel) -> Worker:
        if not channel.ready_within(STARTUP_LIMIT_SECONDS):
            process.kill()
            process.wait()
            raise OSError("no answer from the new worker")
        try:
            _, isolated = channel.receive()
        except (OSError, EOFError):
            process.kill()
            process.wait()
            channel.close()
            raise
        if not isolated and not needs_network(self.settings):
            if self.settings.get("allow_unconfined"):
                log.warning("query worker %s could not be cut off from the network; only "
                            "the keyword guard keeps SERVICE out", process.pid)
            else:
                log.error("query worker %s could not be cut off from the network: it runs "
                          "no user queries (allow it with --allow-unconfined)", process.pid)
        return Worker(process, channel, isolated)

    def close(self) -> None:
        with self._lock:
            workers, self._workers = list(self._workers), set()
        for worker in workers:
            worker.stop()


_POOLS: list[QueryPool] = []  # the pools of this process


def stop_all_queries() -> None:
    """Stop the running queries of every pool of this process (on SIGTERM)."""
    for pool in _POOLS:
        pool.stop_queries()


def make_pool(settings: dict[str, Any]) -> QueryPool:
    """The pool the settings ask for, once its workers run (so that a server that answers
    is ready for queries); client slots live in the shared runtime directory, or in a private
    one that goes with the pool (at the latest when the interpreter exits)."""
    runtime = settings.get("runtime_dir")
    private = None if runtime else tempfile.mkdtemp(prefix="govkg-runtime-")
    slots = ClientSlots(Path(runtime or private) / "client-slots",
                        int(settings["heavy_queries_per_client"]))
    pool = QueryPool(settings, int(settings["query_workers"]), slots)
    if private:
        weakref.finalize(pool, shutil.rmtree, private, True)
    if not pool.wait_until_ready():
        log.error("not every query worker started within %s s", STARTUP_LIMIT_SECONDS)
    return pool
