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

A streamed answer (an answer longer than one part, ``query_worker``) holds its worker until
its last part has been read (``AnswerStream``): the time limit and the steps above count
from the job's start to that part, a timer kills the worker at the limit even while nobody
asks for a part (a client that stops reading holds its web thread in a write), and a stream
given up halfway (the client has gone) replaces its worker, which may be in the middle of a
write. A stream that cannot end raises ``StreamCut``, with the reason a refusal would give.
"""

import atexit
import contextlib
import enum
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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govkg.web.serve import cpu_affinity
from govkg.web.serve.channel import Channel
from govkg.web.serve.client_slots import ClientSlots, NoSlotFree
from govkg.web.serve.lanes import Lanes
from govkg.web.serve.lanes import PoolBusy as PoolBusy  # raised by run(), caught by views
from govkg.web.serve.query_worker import AnswerStatus, QueryAnswer, QueryJob, needs_network

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
        """``job``'s answer; raises one of this module's exceptions when it has none. A
        streamed answer (``streamed``) holds its worker until its ``rest`` (an
        ``AnswerStream``) has been read to the end or closed."""
        if self.stopping:
            raise ServerStopping
        if self.lanes.is_heavy(client) and not self.slots.has_free(client):
            raise TooManyHeavyQueries  # refused before it runs: no worker is stopped
        worker = self.lanes.take(client, timeout + WORKER_WAIT_GRACE_SECONDS)
        return self.answer(self._send(worker, job, client, timeout))

    def start(self, job: QueryJob, client: str, timeout: float) -> "QueryRun | None":
        """``job`` sent to a worker that is free now, for an event loop that cannot wait:
        its run, whose answer ``answer`` reads (at once, after ``run.answered_within(0)``
        says it is in), or None when no worker is free, somebody waits for one or the
        client is heavy (``run`` decides those)."""
        if self.stopping or self.lanes.is_heavy(client):
            return None
        worker = self.lanes.take_free(client)
        return None if worker is None else self._send(worker, job, client, timeout)

    def answer(self, run: "QueryRun") -> QueryAnswer:
        """The answer of a started run, awaited within its time limit (``run``)."""
        answer = run.receive()
        if answer.streamed:
            answer.rest = AnswerStream(run)
        else:
            run.end(finished=True)
        return answer

    def _send(self, worker: Worker, job: QueryJob, client: str, timeout: float) -> "QueryRun":
        with self._lock:
            self._busy.add(worker)
        run = QueryRun(self, worker, client, timeout)
        run.send(job)
        return run

    def give_back(self, worker: Worker, reusable: bool) -> None:
        """A worker done with its job: to the lanes, or replaced."""
        with self._lock:
            self._busy.discard(worker)
        if reusable:
            self.lanes.put(worker)
        else:
            self._replace(worker)

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


class _Phase(enum.Enum):
    QUICK = 1  # on its web process's CPU
    LOOSE = 2  # on every CPU
    HEAVY = 3  # on every CPU at a lower priority, holding one of its client's slots


class QueryRun:
    """One job on one worker, from the job sent to its last message: each message is
    awaited within the time limit, and the longer the job runs the more it is treated as a
    long one (every CPU after ``LOOSE_AFTER_SECONDS``; after ``HEAVY_AFTER_SECONDS`` its
    client is marked heavy and it holds a client slot at a lower priority until it ends).
    A streamed answer counts whole: however fast its parts arrive, it runs until its last."""

    def __init__(self, pool: QueryPool, worker: Worker, client: str, timeout: float) -> None:
        self.pool, self.worker, self.client = pool, worker, client
        started = time.monotonic()
        self.deadline = started + timeout
        self.steps = {_Phase.QUICK: started + min(LOOSE_AFTER_SECONDS, timeout),
                      _Phase.LOOSE: started + min(HEAVY_AFTER_SECONDS, timeout),
                      _Phase.HEAVY: self.deadline}
        self.phase = _Phase.QUICK
        self.held = contextlib.ExitStack()  # the client slot, once heavy
        self._lock = threading.Lock()
        self._ended = self._expired = self._unsent = False
        self._timer: threading.Timer | None = None

    def send(self, job: QueryJob) -> None:
        """Give the worker its job; a worker that cannot take it is replaced, and its
        answer is the exception ``receive`` raises."""
        try:
            self.worker.channel.send(job)
        except OSError:
            self._unsent = True

    @property
    def next_step(self) -> float:
        """When the run is next treated as a longer one (``time.monotonic``)."""
        return self.steps[self.phase]

    def answered_within(self, seconds: float) -> bool:
        return self.worker.answered_within(seconds)

    def receive(self) -> Any:
        """The worker's next message, or the exception that says why there is none (the
        worker is then given back, to be replaced)."""
        try:
            if self._unsent:
                raise EOFError
            self._wait()
            return self.worker.channel.receive()
        except NoSlotFree:
            self.end(finished=False)
            raise TooManyHeavyQueries from None
        except QueryTimedOut:
            self.end(finished=False)
            raise
        except (EOFError, OSError):
            self.end(finished=False)
            if self.pool.stopping:
                raise ServerStopping from None
            if self._expired or time.monotonic() >= self.deadline:
                raise QueryTimedOut from None  # killed at the time limit while streaming
            self.pool.lanes.mark_heavy(self.client)  # a crash counts against the client
            raise WorkerDied from None

    def _wait(self) -> None:
        while True:
            now = time.monotonic()
            if now >= self.deadline and self.phase is _Phase.HEAVY:
                raise QueryTimedOut
            if self.phase is _Phase.QUICK and now >= self.steps[_Phase.QUICK]:
                self.worker.spread()  # not a quick one: it may use every CPU
                self.phase = _Phase.LOOSE
            if self.phase is _Phase.LOOSE and now >= self.steps[_Phase.LOOSE]:
                self.pool.lanes.mark_heavy(self.client)
                cpu_affinity.lower(self.worker.process.pid)  # pages and quick queries first
                self.phase = _Phase.HEAVY
                self.held.enter_context(self.pool.slots.hold(self.client))
            if self.worker.answered_within(self.steps[self.phase] - now):
                return
            if self.phase is _Phase.HEAVY:
                raise QueryTimedOut

    def expire_at_deadline(self) -> None:
        """Kill the worker at the time limit even if nobody asks for its next part (a
        client that stops reading holds the web thread in a write)."""
        self._timer = threading.Timer(max(0.0, self.deadline - time.monotonic()), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            if self._ended:
                return
            self._expired = True
        log.warning("query worker %s stopped: its streamed answer ran past its time limit",
                    self.worker.process.pid)
        self.worker.process.kill()

    def end(self, finished: bool) -> None:
        """Give the worker back (once): reusable when it ``finished`` its job and its CPU
        and priority can be restored, else replaced."""
        with self._lock:
            if self._ended:
                return
            self._ended = True
        if self._timer is not None:
            self._timer.cancel()
        self.held.close()
        reusable = finished and not self._expired
        if reusable and self.phase is _Phase.HEAVY:
            reusable = cpu_affinity.restore(self.worker.process.pid)
        if reusable and self.phase is not _Phase.QUICK:
            self.worker.pin()
        self.pool.give_back(self.worker, reusable)


class StreamCut(Exception):
    """A streamed answer stopped before its end (its status and first bytes went out):
    ``reason`` names why, as the refusal counts do; the message says it in words."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class AnswerStream:
    """The parts of a streamed answer after its first, read from its worker as they are
    asked for, within the query's time limit. The worker is held until the last part has
    been read, or given up (and replaced: it may be in the middle of a write) on ``close``.
    A stream that cannot end raises ``StreamCut``."""

    def __init__(self, run: QueryRun) -> None:
        self._run = run
        run.expire_at_deadline()

    def __iter__(self) -> Iterator[bytes]:
        while True:
            try:
                message = self._run.receive()
            except QueryTimedOut:
                raise StreamCut("timeout", "the query ran past its time limit and was "
                                "stopped") from None
            except TooManyHeavyQueries:
                raise StreamCut("client-limit", "its client already ran as many long "
                                "queries as it may") from None
            except ServerStopping:
                raise StreamCut("stopping", "the server is stopping") from None
            except WorkerDied:
                raise StreamCut("worker-died", "the process running it died") from None
            if isinstance(message, bytes):
                yield message
                continue
            self._run.end(finished=True)
            if message.status is not AnswerStatus.OK:
                raise StreamCut(str(message.status), message.message)
            return

    def close(self) -> None:
        self._run.end(finished=False)


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
