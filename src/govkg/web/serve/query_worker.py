"""A query worker process: evaluates user SPARQL queries and sends back serialised results.

The web process cannot stop a running pyoxigraph query, so user queries run here, in a
process it can kill (``govkg.web.serve.query_pool``). The worker opens its store with
``govkg.store.open_store`` like every other part of govkg and serialises results itself
through the registry (``govkg.formats``), so only bytes cross the pipe: complete results up
to ``max_bytes``, or, for the query page and its editor, results cut at ``max_rows``.
A complete result is sent as it is written: one answer when it ends within
``STREAM_PART_BYTES`` (the usual, small case: one message, as before), else a head (an
answer marked ``streamed`` holding the first part), parts of ``STREAM_PART_BYTES`` as the
serialiser fills them, and a ``StreamEnd`` saying how it ended. The socket's buffer bounds
what is ahead of the client: a worker whose web process does not read waits. Past
``max_bytes`` before the first part went out, the answer is "too-large" with no bytes;
after, the stream ends with that status. It has no network unless the
settings need one (a SERVICE allowlist or a remote endpoint): it moves into an empty network
namespace first, so no query, whatever the keyword guard misses, can fetch anything; where
the system refuses that, it answers every query ``unconfined`` unless the operator has
allowed it (``allow_unconfined``), and ``govkg serve`` refuses to start.

Run as ``python -m govkg.web.serve.query_worker FD PARENT_PID``: FD is its end of a socket pair.
"""

import contextlib
import ctypes
import io
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from pyoxigraph import QueryBoolean, QuerySolutions

from govkg.errors import QueryError, UpstreamError
from govkg.formats import (
    ResultTooLarge,
    cut_result,
    find_format,
    result_kind,
    write_result,
)
from govkg.query import QueryResult, run_query
from govkg.web.serve.channel import Channel

MEMORY_SHARE = 0.75  # of the machine's memory, for all query workers together
MIN_MEMORY_BYTES = 1 << 30
_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000
_PR_SET_PDEATHSIG = 1
PAGE = "page"  # the format name for the HTML query page: TSV or N-Triples, parsed there
PAGE_FORMATS = {"results": "tsv", "graph": "ntriples"}
# a complete result longer than this goes out in parts of this size: big enough that a part
# costs little beside its bytes, small enough that the first arrives early
STREAM_PART_BYTES = 1 << 16


@dataclass(frozen=True)
class QueryJob:
    query: str
    default_graphs: list[str] | None
    named_graphs: list[str] | None
    union_default_graph: bool
    format_name: str  # a registry format name, or PAGE
    max_rows: int | None  # a cut for views that show it; None: the complete result
    max_bytes: int | None = None  # a complete result larger than this is refused
    base_iri: str | None = None  # what relative IRIs in the query resolve against


class AnswerStatus(StrEnum):
    OK = "ok"
    SYNTAX = "syntax"  # the parser refused it
    FAILED = "failed"  # evaluation error
    UPSTREAM = "upstream"  # an external endpoint is down or silent: ``code`` says 502 or 504
    TOO_LARGE = "too-large"  # the complete result is over ``max_bytes``: ``code`` says 507
    UNCONFINED = "unconfined"  # the worker has a network and may not run user queries


@dataclass
class QueryAnswer:
    status: AnswerStatus
    kind: str = ""  # "results", "boolean" or "graph"
    body: bytes = b""
    media_type: str = ""
    rows: int = 0
    truncated: bool = False
    message: str = ""
    seconds: float = 0.0
    code: int = 0
    streamed: bool = False  # ``body`` is the first part: more follow, then a ``StreamEnd``
    # the parts after the first, as they arrive (set by the pool on a streamed answer)
    rest: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class StreamEnd:
    """The last message of a streamed answer: how it ended."""

    status: AnswerStatus  # OK: complete; else why it stopped (TOO_LARGE, FAILED, UPSTREAM)
    message: str = ""
    code: int = 0
    seconds: float = 0.0


class _Parts(io.RawIOBase):
    """Where a complete result is written: held until it passes ``STREAM_PART_BYTES``, then,
    when there is a ``send``, sent in parts (the first inside ``head``) as it grows; past
    ``limit`` bytes, ``ResultTooLarge``."""

    def __init__(self, send: Callable[[Any], None] | None, limit: int | None) -> None:
        super().__init__()
        self.send, self.limit = send, limit
        self.head: QueryAnswer | None = None  # set once the result's kind and type are known
        self.size = self.held_bytes = 0
        self.held: list[bytes] = []
        self.started = False  # whether the head went out

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:  # type: ignore[override]
        self.size += len(data)
        if self.limit is not None and self.size > self.limit:
            raise ResultTooLarge(self.limit)
        self.held.append(bytes(data))
        self.held_bytes += len(data)
        if self.held_bytes >= STREAM_PART_BYTES and self.send is not None \
                and self.head is not None:
            self.send(replace(self.head, body=self.take(), streamed=True)
                      if not self.started else self.take())
            self.started = True
        return len(data)

    def take(self) -> bytes:
        """What is held, handed over."""
        part = b"".join(self.held)
        self.held, self.held_bytes = [], 0
        return part


# the answer of a worker that could not leave the network and was not allowed to run so
UNCONFINED = QueryAnswer(
    AnswerStatus.UNCONFINED,
    message="This server cannot cut its query workers off from the network, so it runs no "
            "user queries; its operator can allow that with --allow-unconfined.")


def can_isolate() -> bool:
    """Whether a process here may move into an empty network namespace (tried in a
    child process, so the caller keeps its network)."""
    probe = subprocess.run([sys.executable, "-c", "from govkg.web.serve.query_worker import "
                            "isolate_network; raise SystemExit(0 if isolate_network() else 1)"],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    return probe.returncode == 0


def evaluate(store: Any, job: QueryJob, send: Callable[[Any], None] | None = None
             ) -> QueryAnswer | StreamEnd:
    """Run one job on ``store``; errors become answers, never exceptions. Without ``send``,
    the whole answer. With it, a complete result past ``STREAM_PART_BYTES`` goes out through
    ``send`` as it is written (the head, then its parts), and the ``StreamEnd`` is returned."""
    started = time.perf_counter()
    parts = _Parts(send, job.max_bytes)
    try:
        result = run_query(store, job.query, default_graphs=job.default_graphs,
                           named_graphs=job.named_graphs,
                           union_default_graph=job.union_default_graph, base_iri=job.base_iri)
        answer = serialise_answer(result, job, parts)
    except ResultTooLarge as error:
        answer = QueryAnswer(AnswerStatus.TOO_LARGE, message=str(error), code=error.status)
    except QueryError as error:
        answer = QueryAnswer(AnswerStatus.SYNTAX, message=str(error))
    except UpstreamError as error:  # an external endpoint down or silent (--endpoint)
        answer = QueryAnswer(AnswerStatus.UPSTREAM, message=str(error), code=error.status)
    except (OSError, RuntimeError, ValueError, TypeError) as error:
        answer = QueryAnswer(AnswerStatus.FAILED,
                             message=f"The query could not be evaluated: {error}")
    seconds = time.perf_counter() - started
    if parts.started:
        if answer.status is AnswerStatus.OK and answer.body:
            parts.send(answer.body)  # type: ignore[misc]
        if answer.status is AnswerStatus.TOO_LARGE:
            answer.message = (f"the result grew past the {job.max_bytes:,} bytes this "
                              "endpoint sends in one answer (max_result_bytes)")
        return StreamEnd(answer.status, answer.message, answer.code, seconds)
    answer.seconds = seconds
    return answer


def serialise_answer(result: QueryResult, job: QueryJob, parts: _Parts | None = None
                     ) -> QueryAnswer:
    """The answer: whole, or (when ``parts`` sends) what is left of it after the parts sent."""
    kind = "boolean" if isinstance(result, QueryBoolean) else result_kind(result)
    if job.format_name == PAGE and isinstance(result, QueryBoolean):
        return QueryAnswer(AnswerStatus.OK, kind, b"true" if result else b"false", "text/plain", 1)
    fmt = find_format(PAGE_FORMATS[kind] if job.format_name == PAGE else job.format_name)
    assert fmt is not None, job.format_name
    if job.max_rows is None or isinstance(result, QueryBoolean):
        rows = 1 if isinstance(result, QueryBoolean) else 0  # not counted: nothing was cut
        parts = parts or _Parts(None, job.max_bytes)
        head = parts.head = QueryAnswer(AnswerStatus.OK, kind, b"", fmt.media_type, rows)
        write_result(result, fmt, parts)
        head.body = parts.take()  # all of it, or what is left after the parts sent
        return head
    assert isinstance(result, QuerySolutions) or kind == "graph"
    cut = cut_result(result, fmt, job.max_rows)  # type: ignore[arg-type]
    return QueryAnswer(AnswerStatus.OK, kind, cut.body, fmt.media_type, cut.rows, cut.truncated)


def memory_limit_bytes(settings: dict[str, Any]) -> int:
    """The address space one query worker may use: ``query_memory_mb``, or else its share
    of ``MEMORY_SHARE`` of the machine's memory among every query worker of the server
    (2 × 2 workers each had 4 GiB: 16 GiB on any machine). A query needing more dies
    alone, and the pool answers 503."""
    if int(settings.get("query_memory_mb") or 0) > 0:
        return int(settings["query_memory_mb"]) << 20
    total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    workers = int(settings.get("workers") or 1) * int(settings.get("query_workers") or 1)
    return max(MIN_MEMORY_BYTES, int(total * MEMORY_SHARE / workers))


def needs_network(settings: dict[str, Any]) -> bool:
    """Only an operator's SERVICE allowlist or a remote endpoint needs the network."""
    return bool(settings.get("service_allow") or settings.get("endpoint"))


def isolate_network() -> bool:
    """Move this process into a new, empty network namespace; False where that is refused."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return any(libc.unshare(flags) == 0
                   for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET))
    except (OSError, AttributeError):
        return False


def _die_with_parent(parent_pid: int) -> None:
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the pipe's EOF must do
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(0)


def serve_jobs(channel: Channel, parent_pid: int) -> None:
    """Handshake (settings in, ``ready`` out), then answer jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops us
    _die_with_parent(parent_pid)
    settings = channel.receive()
    isolated = False if needs_network(settings) else isolate_network()
    refused = not isolated and not needs_network(settings) \
        and not settings.get("allow_unconfined")
    limit = memory_limit_bytes(settings)
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
    from govkg.store import open_store

    store = open_store(settings)
    channel.send(("ready", isolated))
    while True:
        try:
            job = channel.receive()
        except (EOFError, OSError):
            return
        channel.send(UNCONFINED if refused else evaluate(store, job, channel.send))


def main() -> None:
    """The worker process's entry point: ``argv`` holds the pipe's descriptor and the parent's
    pid. Started by import name (``query_pool.WORKER_COMMAND``), not as ``__main__``, so that
    answers pickle as ``govkg.web.serve.query_worker.QueryAnswer``."""
    serve_jobs(Channel(socket.socket(fileno=int(sys.argv[1]))), int(sys.argv[2]))
