"""A throw-away Virtuoso Open Source 7 holding govkg's graphs, for tests, benchmarks and
trying ``govkg serve --endpoint`` out.

``start_virtuoso(directory, nquads)`` writes a minimal ``virtuoso.ini`` into ``directory``
(database files there, SQL and HTTP ports free ones on 127.0.0.1, only the N-Quads file's
folder in ``DirsAllowed``), starts ``virtuoso-t`` (Debian package ``virtuoso-opensource``),
bulk-loads the file with Virtuoso's own loader (``ld_dir`` + ``rdf_loader_run()`` +
``checkpoint`` through ``isql-vt``) and returns the SPARQL endpoint's URL and a function
that stops the server::

    sparql_url, stop = start_virtuoso(tmp, Path("govkg.nq"))
    try: ...
    finally: stop()

A fresh database starts in about two seconds; govkg's 7,000 quads load in a fraction of one.
"""

import gzip
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from govkg.errors import GovkgError
from govkg.vocab import XSD_NS

START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 20
DEFAULT_BUFFERS = 10_000  # 8 KiB pages: 80 MiB, plenty for govkg; ~85,000 per GiB for more
MAX_ROWS = 10_000_000  # ResultSetMaxRows: above the largest graph (dumps read whole graphs)
DBA = ("dba", "dba")  # a fresh database's administrator; the server listens on 127.0.0.1 only
XSD_INTEGER = XSD_NS + "integer"
XSD_DECIMAL = XSD_NS + "decimal"
# An N-Quads line with an IRI subject and an xsd:integer object (bulk-loader fix-up below).
_INTEGER_QUAD = re.compile(r'^(<[^>]*>) (<[^>]*>) "([+-]?\d+)"\^\^<' + re.escape(XSD_INTEGER)
                           + r"> (<[^>]*>) \.\s*$")
INT32 = range(-2**31, 2**31)

INI = """\
; A minimal Virtuoso for govkg (written by govkg.virtuoso): everything in this directory.
[Database]
DatabaseFile       = {db}/virtuoso.db
ErrorLogFile       = {db}/virtuoso.log
LockFile           = {db}/virtuoso.lck
TransactionFile    = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa

[TempDatabase]
DatabaseFile    = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx

[Parameters]
ServerPort        = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
; the bulk loader reads files only from these directories
DirsAllowed       = {load_dir}
NumberOfBuffers   = {buffers}
MaxDirtyBuffers   = {dirty_buffers}

[HTTPServer]
ServerPort    = 127.0.0.1:{http_port}
ServerThreads = 10

[SPARQL]
; Virtuoso cuts longer results short; govkg's dumps read whole graphs
ResultSetMaxRows           = {max_rows}
MaxQueryExecutionTime      = 60
MaxQueryCostEstimationTime = 0
"""


class RunningVirtuoso(NamedTuple):
    sparql_url: str
    stop: Callable[[], None]


class VirtuosoError(GovkgError):
    """Virtuoso could not be started, or could not load the file."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_ini(directory: Path, load_dir: Path, sql_port: int, http_port: int,
              buffers: int = DEFAULT_BUFFERS, max_rows: int = MAX_ROWS) -> Path:
    """``directory/virtuoso.ini``; the database goes to ``directory/db``."""
    db = directory / "db"
    db.mkdir(parents=True, exist_ok=True)
    ini = directory / "virtuoso.ini"
    ini.write_text(INI.format(db=db.resolve(), load_dir=load_dir.resolve(), sql_port=sql_port,
                              http_port=http_port, buffers=buffers,
                              dirty_buffers=buffers * 3 // 4, max_rows=max_rows),
                   encoding="utf-8")
    return ini


def start_virtuoso(directory: Path, nquads: Path | None = None, *,
                   buffers: int = DEFAULT_BUFFERS, max_rows: int = MAX_ROWS) -> RunningVirtuoso:
    """Start Virtuoso with its database in ``directory`` and load ``nquads`` (N-Quads, one
    named graph per govkg graph; ``.gz`` too). ``VirtuosoError`` if it fails (and then
    nothing is left running)."""
    for program in ("virtuoso-t", "isql-vt"):
        if shutil.which(program) is None:
            raise VirtuosoError(f"{program} not found: install the Debian package "
                                "virtuoso-opensource")
    directory = Path(directory)
    load_dir = nquads.parent if nquads is not None else directory
    sql_port, http_port = free_port(), free_port()
    ini = write_ini(directory, load_dir, sql_port, http_port, buffers, max_rows)
    log = directory / "virtuoso-t.out"
    with log.open("wb") as out:
        process = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(ini)],
                                   cwd=directory, stdout=out, stderr=subprocess.STDOUT)
    sparql_url = f"http://127.0.0.1:{http_port}/sparql"

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    try:
        _wait_until_up(process, sparql_url, log)
        if nquads is not None:
            load_nquads(f"127.0.0.1:{sql_port}", nquads)
    except BaseException:
        stop()
        raise
    return RunningVirtuoso(sparql_url, stop)


def _wait_until_up(process: subprocess.Popen, sparql_url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    probe = sparql_url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    while True:
        if process.poll() is not None:
            raise VirtuosoError(f"virtuoso-t exited with {process.returncode}: "
                                f"{_tail(log)}")
        try:
            with urllib.request.urlopen(probe, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise VirtuosoError(f"virtuoso-t did not answer within {START_TIMEOUT_SECONDS} s: "
                                f"{_tail(log)}")
        time.sleep(0.1)


def _tail(log: Path, lines: int = 15) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def isql(address: str, sql: str, login: tuple[str, str] = DBA) -> str:
    """Run ``sql`` with ``isql-vt`` as ``login`` (user, password); ``VirtuosoError`` on any
    error (``isql-vt`` itself exits 0 after a failed statement)."""
    user, password = login
    done = subprocess.run(["isql-vt", address, user, password, "BANNER=OFF", "VERBOSE=OFF",
                           f"exec={sql}"], capture_output=True, text=True, timeout=3600)
    if done.returncode != 0 or "*** Error" in done.stderr:
        raise VirtuosoError(f"isql-vt: {(done.stderr or done.stdout).strip()}")
    return done.stdout


def load_nquads(address: str, nquads: Path, login: tuple[str, str] = DBA) -> None:
    """Bulk-load one N-Quads file with Virtuoso's loader, then make it durable.

    Works on any Virtuoso 7 whose ``DirsAllowed`` holds the file's folder: ``address`` is
    its SQL ``host:port``, ``login`` a user allowed to load (the administrator).
    """
    nquads = Path(nquads).resolve()
    # ld_dir takes a folder and a file-name pattern: the exact name picks this file alone.
    folder, name = _sql_string(str(nquads.parent)), _sql_string(nquads.name)
    isql(address, f"ld_dir({folder}, {name}, 'urn:x-govkg:default'); rdf_loader_run();", login)
    errors = isql(address, "SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT "
                           f"NULL AND ll_file = {_sql_string(str(nquads))};", login).strip()
    if errors:
        raise VirtuosoError(f"Virtuoso's bulk loader failed: {errors}")
    _restore_long_integers(address, nquads, login)
    isql(address, "checkpoint;", login)


def _restore_long_integers(address: str, nquads: Path, login: tuple[str, str]) -> None:
    """Virtuoso 7's bulk loader turns xsd:integer values beyond 32 bits into xsd:decimal
    (``"19000000000"^^xsd:integer`` comes back as a decimal); SPARQL INSERT keeps them.
    Put those quads back as written (quads with a blank-node subject are left as loaded)."""
    opener = gzip.open if nquads.suffix == ".gz" else open
    statements = []
    with opener(nquads, "rt", encoding="utf-8") as lines:
        for line in lines:
            match = _INTEGER_QUAD.match(line)
            if match and int(match.group(3)) not in INT32:
                s, p, value, g = match.groups()
                statements.append(
                    f'SPARQL DELETE DATA {{ GRAPH {g} {{ {s} {p} "{value}"^^<{XSD_DECIMAL}> }} }};'
                    f'SPARQL INSERT DATA {{ GRAPH {g} {{ {s} {p} "{value}"^^<{XSD_INTEGER}> }} }};')
    for start in range(0, len(statements), 500):
        isql(address, " ".join(statements[start:start + 500]), login)


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
