"""The processes of a running server, read from /proc: its query workers and their CPU time."""

import http.client
import os
import platform
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


# the system call an idle query worker sleeps in: recv on its channel (recvfrom)
_RECVFROM = {"x86_64": 45, "aarch64": 207}[platform.machine()]


def waiting_for_a_job(pid: int) -> bool:
    """Whether query worker ``pid`` sits in ``recv`` on its channel: started, store open, idle
    (a worker evaluating a query is in no system call, or in another one)."""
    try:
        return Path(f"/proc/{pid}/syscall").read_text().split()[0] == str(_RECVFROM)
    except (OSError, IndexError):
        return False


def idle_query_workers(server_pid: int, count: int, seconds: float = 120) -> list[int]:
    """The server's query workers once ``count`` of them run and all wait for a job."""
    deadline = time.monotonic() + seconds
    while True:
        pids = query_workers(server_pid)
        if len(pids) == count and all(waiting_for_a_job(p) for p in pids):
            return pids
        assert time.monotonic() < deadline, \
            f"{len(pids)} query workers, {sum(map(waiting_for_a_job, pids))} idle"
        time.sleep(0.02)


def wait_for(condition, what: str, seconds: float = 60):
    """Poll ``condition`` until it gives something true (and return that), at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.01)
    return found


def runtime_dir(server_pid: int) -> Path:
    """The directory a running server shares between its processes: its metrics are in
    ``metrics/`` there, named in the environment of every process it starts afterwards (its
    query workers; its web workers are forked, so /proc shows their environment at exec)."""
    for pid in query_workers(server_pid):
        for entry in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
            if entry.startswith(b"PROMETHEUS_MULTIPROC_DIR="):
                return Path(entry.split(b"=", 1)[1].decode()).parent
    raise AssertionError("no server worker names its runtime directory")


def locked_files(directory: Path) -> set[Path]:
    """The files in ``directory`` that some process holds an ``flock`` on (/proc/locks)."""
    by_inode = {p.stat().st_ino: p for p in directory.iterdir()} if directory.exists() else {}
    locked = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[1] == "FLOCK":  # not "->": a process waiting for one
            inode = int(fields[5].rsplit(":", 1)[1])
            if inode in by_inode:
                locked.add(by_inode[inode])
    return locked
