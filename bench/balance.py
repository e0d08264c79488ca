"""How evenly ``govkg serve`` spreads clients that connect at once over its two web workers.

    python bench/balance.py                 # 50 rounds of 8 kept-alive connections
    python bench/balance.py --rounds 200 --clients 16

Each round opens the connections together (as ``wrk -c8`` does), answers one request on each
(so each is accepted), then counts which worker holds each from /proc. The board of
``govkg.web.serve.balanced_worker`` should make 4 : 4 the common case; without it 7 : 1 and
8 : 0 were common. The spread depends on the sibling worker running within 2 ms, so on a
loaded machine it is worse: that is why this is measured here and not asserted in a test.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import os
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from harness import BIN, free_port, process_tree, start_server


def holders(server_port: int, client_ports: set[int], pids: list[int]) -> list[int]:
    """How many of the server ends of the connections from ``client_ports`` each of ``pids``
    holds (from /proc/net/tcp and each process's open files)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote = (int(fields[i].rsplit(":", 1)[1], 16) for i in (1, 2))
            if local == server_port and remote in client_ports:
                inodes.add(f"socket:[{fields[9]}]")
    counts = []
    for pid in pids:
        try:
            links = {os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()}
        except OSError:
            links = set()
        counts.append(len(inodes & links))
    return counts


def one_round(port: int, clients: int, workers: list[int]) -> tuple[int, ...]:
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                   for _ in range(clients)]
    try:
        for connection in connections:
            connection.connect()
        for connection in connections:
            connection.request("GET", "/sparql?query=ASK%7B%7D")
            connection.getresponse().read()
        ports = {connection.sock.getsockname()[1] for connection in connections}
        return tuple(sorted(holders(port, ports, workers), reverse=True))
    finally:
        for connection in connections:
            connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=10, help="rounds not counted")
    parser.add_argument("--cache-dir", type=Path, help="default: a new, empty one")
    args = parser.parse_args(argv)
    with ExitStack() as stack, tempfile.TemporaryDirectory() as work:
        cache = args.cache_dir or Path(work) / "cache"
        port = free_port()
        command = [str(BIN / "govkg"), "serve", "--port", str(port), "--workers", "2"]
        server = start_server(stack, "govkg", command, port, "/sparql?query=ASK%7B%7D",
                              log_dir=Path(work), env={"GOVKG_CACHE_DIR": str(cache)})
        workers = [pid for pid in process_tree(server.process.pid)[1:]  # the master's children
                   if Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1]
                   == str(server.process.pid)]
        for _ in range(args.warmup):  # both workers have started their query workers
            one_round(port, args.clients, workers)
        spreads = collections.Counter(one_round(port, args.clients, workers)
                                      for _ in range(args.rounds))
    print(f"| spread ({args.clients} clients, 2 workers) | rounds |")
    print("| --- | ---: |")
    for spread, count in spreads.most_common():
        print(f"| {' : '.join(map(str, spread))} | {count} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
