"""The threaded worker that reads requests in its event loop
(``govkg.web.serve.reading_worker``), with new connections spread evenly over the server workers.

Every server worker waits on the same listening socket, and the kernel wakes them all for a
new connection: whichever runs first takes it, and a kept-alive connection then stays with
that worker. As each worker keeps to one CPU (``govkg.web.serve.cpu_affinity``), eight clients
connecting at once often ended 7 : 1 or 8 : 0 on two workers, one CPU queueing requests
while the other idled (measured with ``wrk -c8``: 970–1,800 requests/s against 1,960 for
4 : 4, run to run).

So each worker posts its number of open connections on a board in shared memory
(``ConnectionBoard``, made by the master before it forks), and a worker holding more than
the least loaded one lets a new connection pass, for ``PASS_SECONDS`` at most, so that a
sibling takes it. After that it takes the connection itself: a busy or stuck sibling never
keeps a client waiting longer than that.
"""

import multiprocessing
import time
from collections.abc import Iterable
from typing import Any

from govkg.web.serve.reading_worker import ReadingThreadWorker

PASS_SECONDS = 0.002
_GONE = 2**62  # the count of a slot without a live worker: never the least


class ConnectionBoard:
    """Open connections per server worker, in memory shared by the master and its workers."""

    def __init__(self, slots: int) -> None:
        self._counts = multiprocessing.RawArray("q", [_GONE] * slots)

    def free_slot(self, taken: Iterable[int | None]) -> int | None:
        """A slot that no live worker holds; None when all are held (more workers than
        slots: that worker is left out of the balance)."""
        held = set(taken)
        return next((slot for slot in range(len(self._counts)) if slot not in held), None)

    def post(self, slot: int, connections: int) -> None:
        self._counts[slot] = connections

    def release(self, slot: int | None) -> None:
        if slot is not None:
            self._counts[slot] = _GONE

    def least(self) -> int:
        return min(self._counts)


class BalancedThreadWorker(ReadingThreadWorker):
    """The reading worker, letting a less loaded sibling take each new connection first."""

    board: ConnectionBoard | None = None  # both set by the master before it forks
    board_slot: int | None = None
    _passing_since: float | None = None

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        self._post()  # once per turn of the event loop, so closed connections count too
        super().wait_for_and_dispatch_events(timeout)

    def accept(self, listener: Any) -> None:
        if self._let_pass():
            return  # still readable: the sibling that takes it, or this loop's next turn
        super().accept(listener)
        self._post()

    def _let_pass(self) -> bool:
        if self.board is None or self.board_slot is None \
                or self.nr_conns <= self.board.least():
            self._passing_since = None
            return False
        now = time.monotonic()
        if self._passing_since is None:
            self._passing_since = now
        if now - self._passing_since < PASS_SECONDS:
            return True
        self._passing_since = None
        return False

    def _post(self) -> None:
        if self.board is not None and self.board_slot is not None:
            self.board.post(self.board_slot, self.nr_conns)
