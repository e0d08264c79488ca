"""The processes of a running server, read from /proc: its query workers and their CPU time."""

import http.client
import os
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def descendants(pid: int) -> list[int]:
    result, todo = [], [pid]
    while todo:
        for child in children(todo.pop()):
            result.append(child)
            todo.append(child)
    return result


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def query_workers(server_pid: int) -> list[int]:
    return [p for p in descendants(server_pid) if "govkg.web.serve.query_worker" in command_line(p)]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of ``pid``; None once it is gone (or a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    if fields[0] == "Z":
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def connection_holders(server_port: int, client_ports: set[int], pids: list[int]
                       ) -> dict[int, int]:
    """How many of the server ends of the connections from ``client_ports`` (to
    ``server_port`` on loopback) each process of ``pids`` holds, from /proc/net/tcp*."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if local_port == server_port and remote_port in client_ports:
                inodes.add(f"socket:[{fields[9]}]")
    held = {}
    for pid in pids:
        try:
            links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:
            links = []
        held[pid] = len(inodes.intersection(links))
    return held


def web_workers(server_pid: int) -> list[int]:
    """The server's web (gunicorn) workers: its children that are not query workers."""
    return [p for p in children(server_pid) if "govkg.web.serve.query_worker" not in command_line(p)]


def holder_of(port: int, connection: "http.client.HTTPConnection", pids: list[int]
              ) -> int | None:
    """Which of ``pids`` holds the server end of ``connection`` (None: none, or closed)."""
    if connection.sock is None:
        return None
    local = connection.sock.getsockname()[1]
    return next((pid for pid, n in connection_holders(port, {local}, pids).items() if n), None)


def connection_per_worker(host: str, port: int, workers: list[int], path: str,
                          seconds: float = 120) -> dict[int, "http.client.HTTPConnection"]:
    """One kept-alive connection held by each of ``workers``, found by opening connections
    (each answered once, so accepted) until every worker holds one; one the server closed
    for idling past its keep-alive (2 s) is looked for again. A worker still starting
    takes none, so this keeps trying for up to ``seconds``; the last few connections that
    found no new worker stay open meanwhile, so that their worker looks busier to the next.
    The caller closes the connections returned.
    """
    held: dict[int, http.client.HTTPConnection] = {}
    spare: list[http.client.HTTPConnection] = []
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            connection = http.client.HTTPConnection(host, port, timeout=60)
            connection.request("GET", path)
            connection.getresponse().read()
            holder = holder_of(port, connection, workers)
            for pid, kept in list(held.items()):  # idle past the server's keep-alive: closed
                if holder_of(port, kept, [pid]) is None:
                    held.pop(pid).close()
            if holder is not None and holder not in held:
                held[holder] = connection
                if len(held) == len(workers):
                    return held
                continue
            spare.append(connection)
            if len(spare) > 8:
                spare.pop(0).close()
        raise AssertionError(f"in {seconds} s, connections reached only workers {sorted(held)}")
    finally:
        for connection in spare:
            connection.close()
