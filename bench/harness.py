"""What the benchmarks share: free ports, server processes started and stopped, timings.

Every server is started on a free port on 127.0.0.1 and stopped (its whole process group)
when the ``ExitStack`` it was registered with closes, also on Ctrl-C or an error.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


class NotRun(Exception):
    """A column that could not be measured here, with the reason."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    url: str  # base URL, no trailing slash
    process: subprocess.Popen
    log: Path
    started_seconds: float  # from exec to the first answer

    def rss_mb(self) -> float:
        """Resident memory of the server and all its descendants (gunicorn's workers and
        their query workers), in MB."""
        return sum(rss_bytes(pid) for pid in process_tree(self.process.pid)) / 2**20

    def cpu_seconds(self) -> float:
        """User + system CPU time the server and its live descendants have used so far."""
        return sum(cpu_seconds(pid) for pid in process_tree(self.process.pid))


# --- processes, read from /proc ------------------------------------------------------------

def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, whichever of their threads started them (query
    workers are started by a thread of their server worker)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in (task / "children").read_text().split()]
    return found


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def start_server(stack: ExitStack, name: str, command: Sequence[str], port: int, ready_path: str,
                 *, log_dir: Path, env: dict[str, str] | None = None,
                 timeout: float = 600) -> Server:
    """Run ``command`` (listening on ``port``) until ``ready_path`` answers 200; stop it on exit."""
    log = log_dir / f"{name}.log"
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(list(command), stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, **(env or {})}, start_new_session=True)
    stack.callback(_stop, process)
    url = f"http://127.0.0.1:{port}"
    deadline = started + timeout
    while True:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise NotRun(f"{name} exited with {process.returncode}: {tail.strip()}")
        try:
            status, _ = http_get(url + ready_path, timeout=5)
            if status == 200:
                break
        except OSError:
            pass
        if time.perf_counter() > deadline:
            raise NotRun(f"{name} did not answer {ready_path} within {timeout:.0f} s")
        time.sleep(0.02)
    return Server(name, url, process, log, time.perf_counter() - started)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def http_get(url: str, headers: dict[str, str] | None = None,
             timeout: float = 60) -> tuple[int, bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        path = parts.path + ("?" + parts.query if parts.query else "")
        connection.request("GET", path or "/", headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class Client:
    """One kept-alive HTTP connection, as a browser or a SPARQL client library keeps one."""

    def __init__(self, base_url: str, timeout: float = 120) -> None:
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        self.prefix = parts.path.rstrip("/")

    def get(self, path: str, headers: dict[str, str]) -> bytes:
        self.connection.request("GET", self.prefix + path, headers=headers)
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}: {body[:300]!r}")
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return body

    def close(self) -> None:
        self.connection.close()


@dataclass(frozen=True)
class Timing:
    p50_ms: float
    p95_ms: float
    runs: int

    def __str__(self) -> str:
        return f"{self.p50_ms:.2f} / {self.p95_ms:.2f}"


def measure(run: Callable[[], object], repeats: int, warmup: int) -> Timing:
    """p50 and p95 of ``repeats`` calls of ``run`` after ``warmup`` untimed ones."""
    return measure_interleaved({"": run}, repeats, warmup)[""]


def measure_interleaved(runs: dict[str, Callable[[], object]], repeats: int, warmup: int,
                        block: int = 10) -> dict[str, Timing]:
    """``measure`` for several runs at once, taking turns ``block`` calls at a time: whatever
    slows the machine down for a while slows them all alike, so their ratios stay fair,
    while each still runs as in a loop of its own (warm caches), as ``measure`` times it."""
    for _ in range(warmup):
        for run in runs.values():
            run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for first in range(0, repeats, block):
        for name, run in runs.items():
            for _ in range(min(block, repeats - first)):
                started = time.perf_counter()
                run()
                times[name].append((time.perf_counter() - started) * 1000)
    return {name: _timing(sorted(found)) for name, found in times.items()}


def _timing(times: list[float]) -> Timing:
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return Timing(statistics.median(times), p95, len(times))


def report_figures(figures: dict, json_path: Path | None) -> None:
    """Print the figures as one JSON line, and write them to ``json_path`` if given."""
    print(json.dumps(figures, ensure_ascii=False))
    if json_path:
        json_path.write_text(json.dumps(figures, ensure_ascii=False, indent=1))


def which(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        raise NotRun(f"{program} is not installed")
    return path


# --- peers: Oxigraph server, and nginx in front of a server ----------------------------------

def start_oxigraph_server(stack: ExitStack, name: str, dump: Path, workdir: Path, *,
                          log_dir: Path, timeout_s: float | None = None) -> Server:
    """``oxigraph serve-read-only --union-default-graph`` on ``dump`` (loaded once into
    ``workdir/oxigraph``), with ``--timeout-s`` if given."""
    program = str(BIN / "oxigraph") if (BIN / "oxigraph").exists() else which("oxigraph")
    location = workdir / "oxigraph"
    if not (location / "done").exists():
        shutil.rmtree(location, ignore_errors=True)
        subprocess.run([program, "load", "--location", str(location), "--file", str(dump),
                        "--format", "nq"], check=True, capture_output=True)
        (location / "done").touch()
    port = free_port()
    command = [program, "serve-read-only", "--location", str(location), "--bind",
               f"127.0.0.1:{port}", "--union-default-graph"]
    if timeout_s is not None:
        command += ["--timeout-s", f"{timeout_s:g}"]
    return start_server(stack, name, command, port, "/query?query=ASK%7B%7D", log_dir=log_dir,
                        timeout=60)


# the lines of docs/nginx.conf a benchmark changes (each marked "bench:" there)
NGINX_CONF = ROOT / "docs" / "nginx.conf"
NGINX_LINES = {"cache": "proxy_cache_path /var/cache/nginx/govkg ",
               "upstream": "server 127.0.0.1:8000;",
               "listen": "listen 80;",
               "log": "access_log /var/log/nginx/govkg.access.log "}


def nginx_config(upstream: str, port: int, workdir: Path, log_dir: Path) -> str:
    """The shipped configuration with this run's ports and paths, inside a main file."""
    text = NGINX_CONF.read_text()
    replacements = {"cache": f"proxy_cache_path {workdir / 'cache'} ",
                    "upstream": f"server {upstream};",
                    "listen": f"listen 127.0.0.1:{port};",
                    "log": f"access_log {log_dir / 'nginx-access.log'} "}
    for part, line in NGINX_LINES.items():
        if text.count(line) != 1:
            raise NotRun(f"{NGINX_CONF.name} no longer has its {part} line {line!r} once")
        text = text.replace(line, replacements[part])
    temp = workdir / "temp"
    # started by root, nginx would run its workers as nobody, who cannot enter a private
    # work directory (pytest's are 0700): they stay root, on loopback, for the benchmark
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (f"daemon off;\n{user}worker_processes auto;\npid {workdir / 'nginx.pid'};\n"
            f"error_log {log_dir / 'nginx-error.log'} warn;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            f"client_body_temp_path {temp}/body;\nproxy_temp_path {temp}/proxy;\n"
            f"fastcgi_temp_path {temp}/fastcgi;\nuwsgi_temp_path {temp}/uwsgi;\n"
            f"scgi_temp_path {temp}/scgi;\n"
            f"{text}\n}}\n")


def start_nginx(stack: ExitStack, upstream: Server, workdir: Path, *, log_dir: Path) -> Server:
    """nginx with ``docs/nginx.conf`` on a free loopback port, in front of ``upstream``."""
    program = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                        else None)
    if program is None:
        raise NotRun("nginx is not installed (Debian package nginx)")
    directory = workdir / "nginx"
    shutil.rmtree(directory, ignore_errors=True)
    (directory / "temp").mkdir(parents=True)
    port = free_port()
    config = directory / "nginx.conf"
    config.write_text(nginx_config(urlsplit(upstream.url).netloc, port, directory, log_dir))
    command = [program, "-p", str(directory), "-c", str(config), "-e",
               str(log_dir / "nginx-error.log")]
    return start_server(stack, "nginx", command, port, "/sparql?query=ASK%7B%7D",
                        log_dir=log_dir, timeout=60)
