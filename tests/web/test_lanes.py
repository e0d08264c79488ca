"""Who gets the next free query worker, in-process: a worker kept from heavy clients, a
bounded wait, and first come, first served."""

import threading
import time

import pytest

from govkg.web.serve import lanes
from govkg.web.serve.lanes import Lanes, PoolBusy


def test_heavy_clients_leave_one_worker_free():
    pool = Lanes(2)
    pool.put("w1")
    pool.put("w2")
    pool.mark_heavy("heavy")
    taken = pool.take("heavy", 1)
    with pytest.raises(PoolBusy):  # the last free worker is for the others
        pool.take("heavy", 0.05)
    assert pool.take("quick", 1) not in (taken, None)


def test_a_single_worker_is_shared_by_all():
    pool = Lanes(1)
    pool.put("w")
    pool.mark_heavy("heavy")
    assert pool.take("heavy", 1) == "w"


def test_waiting_is_bounded_in_time_and_per_client(monkeypatch):
    monkeypatch.setattr(lanes, "HEAVY_WAIT_SECONDS", 0.05)
    pool = Lanes(2)
    pool.mark_heavy("heavy")
    started = time.monotonic()
    with pytest.raises(PoolBusy):
        pool.take("heavy", 30)  # a heavy client waits HEAVY_WAIT_SECONDS at most
    assert time.monotonic() - started < 5
    refused: list[bool] = []

    def wait_in_vain() -> None:
        try:
            pool.take("c", 0.5)
        except PoolBusy:
            refused.append(True)

    waiting = [threading.Thread(target=wait_in_vain) for _ in range(lanes.WAITING_PER_CLIENT)]
    for thread in waiting:
        thread.start()
    while sum(pool._waiting_by_client.values()) < lanes.WAITING_PER_CLIENT:
        time.sleep(0.005)
    with pytest.raises(PoolBusy):  # one more from the same client is refused at once
        pool.take("c", 0.5)
    for thread in waiting:
        thread.join()
    assert len(refused) == lanes.WAITING_PER_CLIENT


def test_quick_queries_are_served_in_order():
    pool = Lanes(2)
    order: list[str] = []
    threads = []
    for name in ("first", "second", "third"):
        thread = threading.Thread(target=lambda n=name: order.append(pool.take(n, 5) and n))
        thread.start()
        threads.append(thread)
        while len(pool._waiting[False]) < len(threads):
            time.sleep(0.005)
    for worker in ("w1", "w2", "w3"):
        pool.put(worker)
        while len(order) < ("w1", "w2", "w3").index(worker) + 1:
            time.sleep(0.005)
    for thread in threads:
        thread.join()
    assert order == ["first", "second", "third"]
