"""One CPU for each server worker and its query workers, so a query's hand-over stays local.

Every user query crosses from a web thread to a query worker process and back
(``govkg.web.serve.query_pool``): two wake-ups. When the two processes sit on different CPUs,
each wake-up is an inter-processor interrupt, and on a virtual machine the woken CPU is
often halted and its caches cold; on the same CPU it is a plain context switch. Measured on
the 2-core test machine: a socket round trip took 39 µs across CPUs and 11 µs on one, and a
query's time spent beyond its own evaluation fell from 0.15–0.8 ms to about 0.1 ms.

So, when there are at least as many server workers as CPUs, gunicorn's master gives each
new worker the CPU fewest workers have (``choose_cpu``), and the worker pins itself to it
(``pin_process``) before it starts any thread or query worker, which inherit the pin. A
query still running after 20 ms (``query_pool.LOOSE_AFTER_SECONDS``) is let loose on every
CPU (``spread``), so it does not crowd its web worker, and its worker is pinned back when
it is done (``pin``). Where the system has no affinity calls (not Linux), nothing is
pinned. A query still running after a second is also lowered in priority
(``HEAVY_NICENESS``, ``lower``): on a busy machine the web processes, and so pages and
quick queries, come first; ``restore`` puts it back (or says it cannot: raising a priority
needs privileges, and the pool then replaces that worker).
"""

import contextlib
import os
from collections.abc import Iterable

_HAS_AFFINITY = hasattr(os, "sched_setaffinity")
HEAVY_NICENESS = 10
_all_cpus: set[int] = set()  # what this process could use before it was pinned
_own_cpus: set[int] = set()  # where this process is pinned (empty: not pinned)


def available_cpus() -> set[int]:
    return set(os.sched_getaffinity(0)) if _HAS_AFFINITY else set()


def choose_cpu(workers: int, taken: Iterable[int | None]) -> int | None:
    """The CPU for a new server worker, given the CPUs of the live ones; None: don't pin."""
    cpus = sorted(available_cpus())
    if len(cpus) < 2 or workers < len(cpus):
        return None  # pinning would leave a CPU without a web worker
    load = dict.fromkeys(cpus, 0)
    for cpu in taken:
        if cpu in load:
            load[cpu] += 1
    return min(cpus, key=lambda cpu: (load[cpu], cpu))


def pin_process(cpu: int | None) -> None:
    """Pin this process (and what it starts from now on) to ``cpu``; None does nothing."""
    global _all_cpus, _own_cpus
    if cpu is None or not _HAS_AFFINITY:
        return
    _all_cpus = available_cpus()
    os.sched_setaffinity(0, {cpu})
    _own_cpus = {cpu}


def spread(pid: int) -> None:
    """Let process ``pid`` (a query worker running a long query) use every CPU."""
    _set(pid, _all_cpus)


def pin(pid: int) -> None:
    """Put process ``pid`` back on this process's CPU."""
    _set(pid, _own_cpus)


def _set(pid: int, cpus: set[int]) -> None:
    if not cpus:
        return
    with contextlib.suppress(OSError):  # it has just exited: the pool replaces it anyway
        os.sched_setaffinity(pid, cpus)


def lower(pid: int) -> None:
    """Let process ``pid`` (a long query) yield the CPU to the web processes."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, pid, HEAVY_NICENESS)


def restore(pid: int) -> bool:
    """Give process ``pid`` this process's priority again; False where that is refused."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, os.getpriority(os.PRIO_PROCESS, 0))
    except (OSError, AttributeError):
        return False
    return True
