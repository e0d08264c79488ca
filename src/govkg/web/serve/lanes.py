"""Which waiting query gets the next free query worker: a bounded, fair wait, and a lane
that heavy queries cannot fill.

Eight clients looping a cross-product COUNT held every worker, and another client's
``ASK {}`` waited up to 30 s behind them. Here a client whose query ran past
``HEAVY_AFTER_SECONDS`` (or timed out, or crashed its worker) is remembered as heavy for
``REMEMBER_SECONDS``; its queries take a worker only while another stays free (when there
are two or more), so pages, ASK and other quick queries always find one. A worker being
restarted after a timeout counts as busy: the reserve is of free workers, not of slots.
Waiting is first come, first served within each lane, bounded in time
(``HEAVY_WAIT_SECONDS`` for heavy clients) and in length (``WAITING_PER_CLIENT``,
``WAITING_PER_WORKER``): past that the pool is busy (503 with ``Retry-After``) without
running anything, so no refused query costs a worker.

A query that must wait waits on a condition of its own, and a freed worker wakes only the
waiters that may take it now (the first of each lane): waking every waiter made each of
them take the interpreter lock in turn to find it was not its turn.
"""

import threading
import time
from collections import Counter, deque
from typing import Any

REMEMBER_SECONDS = 60.0
HEAVY_WAIT_SECONDS = 5.0
WAITING_PER_CLIENT = 2
WAITING_PER_WORKER = 4
_CLIENTS_KEPT = 4096  # past this many remembered clients, the expired ones are forgotten


class PoolBusy(Exception):
    """No worker became free in time, or too many queries wait already."""


class Lanes:
    def __init__(self, size: int) -> None:
        self.reserve = 1 if size > 1 else 0  # free workers heavy clients leave to others
        self.waiting_limit = WAITING_PER_WORKER * max(1, size)
        self._lock = threading.Lock()
        self._free: list[Any] = []  # idle workers, the last freed on top (hot stays hot)
        # each lane's waiting queries, first come first: each waits on a condition of its own
        self._waiting: dict[bool, deque[threading.Condition]] = {False: deque(), True: deque()}
        self._waiting_by_client: Counter[str] = Counter()
        self._heavy_until: dict[str, float] = {}

    def put(self, worker: Any) -> None:
        """A worker is free (new, or done with its query)."""
        with self._lock:
            self._free.append(worker)
            self._wake()

    def is_heavy(self, client: str) -> bool:
        until = self._heavy_until.get(client)
        return until is not None and until > time.monotonic()

    def mark_heavy(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._heavy_until) >= _CLIENTS_KEPT:
                self._heavy_until = {c: t for c, t in self._heavy_until.items() if t > now}
            self._heavy_until[client] = now + REMEMBER_SECONDS

    def take_free(self, client: str) -> Any | None:
        """A worker free now for ``client``'s query when nobody waits, else None (never
        waits: for an event loop, which cannot)."""
        with self._lock:
            return self._take_now(self.is_heavy(client))

    def take(self, client: str, wait_seconds: float) -> Any:
        """A free worker for ``client``'s query; ``PoolBusy`` when none is free in time or
        too many wait already. Give it back with ``put`` (unless it was stopped)."""
        with self._lock:
            heavy = self.is_heavy(client)
            worker = self._take_now(heavy)
            if worker is not None:
                return worker
            if sum(len(lane) for lane in self._waiting.values()) >= self.waiting_limit \
                    or self._waiting_by_client[client] >= WAITING_PER_CLIENT:
                raise PoolBusy
            ticket = threading.Condition(self._lock)
            lane = self._waiting[heavy]
            lane.append(ticket)
            self._waiting_by_client[client] += 1
            deadline = time.monotonic() + (min(wait_seconds, HEAVY_WAIT_SECONDS) if heavy
                                           else wait_seconds)
            try:
                while not self._may_take(ticket, heavy):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise PoolBusy
                    ticket.wait(remaining)
                return self._free.pop()
            finally:
                lane.remove(ticket)
                self._waiting_by_client[client] -= 1
                if not self._waiting_by_client[client]:
                    del self._waiting_by_client[client]
                self._wake()

    def _take_now(self, heavy: bool) -> Any | None:
        """A free worker when nobody waits (no ticket, nobody to wake), else None."""
        if not any(self._waiting.values()) and self._free \
                and (not heavy or len(self._free) > self.reserve):
            return self._free.pop()
        return None

    def _wake(self) -> None:
        """Wake the waiters that may take a free worker now: the first of each lane."""
        for heavy, lane in self._waiting.items():
            if lane and self._may_take(lane[0], heavy):
                lane[0].notify()

    def _may_take(self, ticket: object, heavy: bool) -> bool:
        if not self._free:
            return False
        if not heavy:
            return self._waiting[False][0] is ticket
        return (self._waiting[True][0] is ticket
                and len(self._free) > self.reserve + len(self._waiting[False]))
