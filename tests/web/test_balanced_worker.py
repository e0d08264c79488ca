"""New connections are spread evenly over the server workers (``govkg.web.serve.balanced_worker``)."""

import http.client
import time
from urllib.parse import urlsplit

import pytest
from processes import children, command_line, connection_holders, query_workers

from govkg.web.serve.balanced_worker import ConnectionBoard


def test_the_board_knows_the_least_loaded_live_worker():
    board = ConnectionBoard(3)
    first, second = board.free_slot([]), board.free_slot([0])
    assert (first, second) == (0, 1)
    board.post(0, 5)
    board.post(1, 2)
    assert board.least() == 2  # slot 2 has no worker: it never counts as the least
    board.release(1)  # its worker exited
    assert board.least() == 5
    assert board.free_slot([0, 2]) == 1
    assert board.free_slot([0, 1, 2]) is None  # more workers than slots: left out


@pytest.mark.server
def test_clients_connecting_at_once_are_shared_by_the_workers(strict_server):
    """Eight kept-alive connections opened together, as ``wrk -c8`` does: each of the two
    workers holds about half (without the board, 7 : 1 and 8 : 0 were common)."""
    address = urlsplit(strict_server.url)
    workers = [p for p in children(strict_server.process.pid)
               if "govkg.web.serve.query_worker" not in command_line(p)]
    assert len(workers) == 2
    deadline = time.monotonic() + 60  # both workers serve once their query workers run
    while len(query_workers(strict_server.process.pid)) < 8 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    for attempt in range(5):
        connections = [http.client.HTTPConnection(address.hostname, address.port, timeout=10)
                       for _ in range(8)]
        for connection in connections:
            connection.connect()
        for connection in connections:  # answered: every connection has been accepted
            connection.request("GET", "/sparql?query=ASK%7B%7D",
                               headers={"Accept": "application/sparql-results+json"})
            assert connection.getresponse().read() == b'{"head":{},"boolean":true}'
        ports = {connection.sock.getsockname()[1] for connection in connections}
        held = connection_holders(address.port, ports, workers)
        for connection in connections:
            connection.close()
        assert sum(held.values()) == 8, held
        assert min(held.values()) >= 3, f"attempt {attempt}: {held}"
        time.sleep(0.2)
