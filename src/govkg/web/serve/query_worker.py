"""A query worker process: evaluates user SPARQL queries and sends back serialised results.

The web process cannot stop a running pyoxigraph query, so user queries run here, in a
process it can kill (``govkg.web.serve.query_pool``). The worker opens its store with
``govkg.store.open_store`` like every other part of govkg and serialises results itself
through the registry (``govkg.formats``), so only bytes cross the pipe: complete results up
to ``max_bytes`` (beyond, a "too-large" answer and no bytes), or, for the query page and its
editor, results cut at ``max_rows``. It has no network unless the
settings need one (a SERVICE allowlist or a remote endpoint): it moves into an empty network
namespace first, so no query, whatever the keyword guard misses, can fetch anything; where
the system refuses that, it answers every query ``unconfined`` unless the operator has
allowed it (``allow_unconfined``), and ``govkg serve`` refuses to start.

Run as ``python -m govkg.web.serve.query_worker FD PARENT_PID``: FD is its end of a socket pair.
"""

import contextlib
import ctypes
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pyoxigraph import QueryBoolean, QuerySolutions

from govkg.errors import QueryError, UpstreamError
from govkg.formats import (
    ResultTooLarge,
    cut_result,
    find_format,
    result_kind,
    serialise_result,
)
from govkg.query import QueryResult, run_query
from govkg.web.serve.channel import Channel

MEMORY_SHARE = 0.75  # of the machine's memory, for all query workers together
MIN_MEMORY_BYTES = 1 << 30
_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000
_PR_SET_PDEATHSIG = 1
PAGE = "page"  # the format name for the HTML query page: TSV or N-Triples, parsed there
PAGE_FORMATS = {"results": "tsv", "graph": "ntriples"}


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


def evaluate(store: Any, job: QueryJob) -> QueryAnswer:
    """Run one job on ``store``; errors become answers, never exceptions."""
    started = time.perf_counter()
    try:
        result = run_query(store, job.query, default_graphs=job.default_graphs,
                           named_graphs=job.named_graphs,
                           union_default_graph=job.union_default_graph, base_iri=job.base_iri)
        answer = serialise_answer(result, job)
    except ResultTooLarge as error:
        return QueryAnswer(AnswerStatus.TOO_LARGE, message=str(error), code=error.status)
    except QueryError as error:
        return QueryAnswer(AnswerStatus.SYNTAX, message=str(error))
    except UpstreamError as error:  # an external endpoint down or silent (--endpoint)
        return QueryAnswer(AnswerStatus.UPSTREAM, message=str(error), code=error.status)
    except (OSError, RuntimeError, ValueError, TypeError) as error:
        return QueryAnswer(AnswerStatus.FAILED,
                           message=f"The query could not be evaluated: {error}")
    answer.seconds = time.perf_counter() - started
    return answer


def serialise_answer(result: QueryResult, job: QueryJob) -> QueryAnswer:
    kind = "boolean" if isinstance(result, QueryBoolean) else result_kind(result)
    if job.format_name == PAGE and isinstance(result, QueryBoolean):
        return QueryAnswer(AnswerStatus.OK, kind, b"true" if result else b"false", "text/plain", 1)
    fmt = find_format(PAGE_FORMATS[kind] if job.format_name == PAGE else job.format_name)
    assert fmt is not None, job.format_name
    if job.max_rows is None or isinstance(result, QueryBoolean):
        body = serialise_result(result, fmt, job.max_bytes)
        rows = 1 if isinstance(result, QueryBoolean) else 0  # not counted: nothing was cut
        return QueryAnswer(AnswerStatus.OK, kind, body, fmt.media_type, rows)
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
        channel.send(UNCONFINED if refused else evaluate(store, job))


def main() -> None:
    """The worker process's entry point: ``argv`` holds the pipe's descriptor and the parent's
    pid. Started by import name (``query_pool.WORKER_COMMAND``), not as ``__main__``, so that
    answers pickle as ``govkg.web.serve.query_worker.QueryAnswer``."""
    serve_jobs(Channel(socket.socket(fileno=int(sys.argv[1]))), int(sys.argv[2]))
