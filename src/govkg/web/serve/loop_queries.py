"""The queries a server worker's event loop runs itself (``govkg.web.serve.query_heads``
says which): in flight on a query worker, or waiting for one.

The loop never waits. A query takes a worker that is free now and that nobody waiting in
the lanes (``govkg.web.serve.lanes``) may take first (``QueryPool.start``); its worker's
socket is watched, and its answer read when it turns readable. A query that finds no worker
free may wait in the loop, one for each query in flight from the loop (each frees a worker
here when it is answered), first come first; past that, and when no query of the loop's is
in flight, it takes a thread, which waits in the lanes as every other query does. A query
still running at its quick step (``query_pool.LOOSE_AFTER_SECONDS``) is handed to a thread
with its run: the thread waits for it as for any other, with its steps and time limit.
"""

import contextlib
import selectors
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from govkg.web.serve.query_heads import Head, HeadQuery
from govkg.web.serve.query_pool import QueryRun
from govkg.web.serve.query_worker import QueryAnswer


@dataclass(eq=False)
class LoopQuery:
    """A request the loop took: its connection, bytes and query, and once it is given to a
    query worker, its run."""

    conn: Any
    data: bytes
    query: HeadQuery
    target: str  # the request's target, for the access log
    head: Head
    run: QueryRun | None = None


class LoopQueries:
    def __init__(self, poller: selectors.BaseSelector,
                 answered: Callable[[LoopQuery, QueryAnswer | Exception], None],
                 to_thread: Callable[[LoopQuery], None]) -> None:
        """``answered`` gets a query and what its run ended with; ``to_thread`` a query
        that must take a thread (its run, if it has one, still going)."""
        self.poller, self.answered, self.to_thread = poller, answered, to_thread
        self.in_flight: dict[int, LoopQuery] = {}  # by the query worker's socket
        self.waiting: deque[LoopQuery] = deque()

    def take(self, item: LoopQuery) -> bool:
        """Whether the loop runs ``item``: now, or once a worker it frees is free."""
        if self._fly(item):
            return True
        if len(self.waiting) >= len(self.in_flight):
            return False
        self.waiting.append(item)
        return True

    def wait_seconds(self, seconds: float) -> float:
        """How long the loop may wait for events: ``seconds``, or less when a query in
        flight reaches its next step sooner."""
        if not self.in_flight:
            return seconds
        first = min(item.run.next_step for item in self.in_flight.values())  # type: ignore
        return min(seconds, max(0.0, first - time.monotonic()))

    def hand_over_slow(self) -> None:
        """Queries in flight past their quick step go to threads, with their runs."""
        if not self.in_flight and not self.waiting:
            return
        now = time.monotonic()
        for fd, item in list(self.in_flight.items()):
            run: QueryRun = item.run  # type: ignore[assignment]
            if run.next_step <= now and not run.answered_within(0):
                self._land(fd)
                self.to_thread(item)
        self._start_waiting()

    def _fly(self, item: LoopQuery) -> bool:
        query = item.query
        item.run = query.pool.start(query.job, query.client, query.timeout)
        if item.run is None:
            return False
        fd = item.run.worker.channel.fileno()
        self.in_flight[fd] = item
        self.poller.register(fd, selectors.EVENT_READ, partial(self._on_answer, item))
        return True

    def _land(self, fd: int) -> None:
        self.in_flight.pop(fd, None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(fd)

    def _on_answer(self, item: LoopQuery, fd: int) -> None:
        """The worker's answer is in (or the worker is gone)."""
        self._land(fd)
        self.answered(item, outcome_of(item))
        self._start_waiting()

    def _start_waiting(self) -> None:
        """Waiting queries take the workers free now, first come first; those that no query
        in flight from the loop will free a worker for take threads."""
        while self.waiting and self._fly(self.waiting[0]):
            self.waiting.popleft()
        while len(self.waiting) > len(self.in_flight):
            self.to_thread(self.waiting.pop())


def outcome_of(item: LoopQuery) -> QueryAnswer | Exception:
    """What a started query ended with: its answer, or the exception the pool raised (the
    whole way answers each as it does). Waits as the pool does for one still running."""
    try:
        return item.query.pool.answer(item.run)  # type: ignore[arg-type]
    except Exception as error:
        return error
