"""A throw-away Virtuoso Open Source holding one dump, for the benchmark's Virtuoso column.

``start_virtuoso`` writes a ``virtuoso.ini`` into a work directory (database files there,
SQL and HTTP ports free ones on 127.0.0.1), runs ``virtuoso-t -f``, loads the dump with
Virtuoso's bulk loader (``ld_dir`` + ``rdf_loader_run`` through ``isql-vt``) and answers
the SPARQL endpoint's URL. The server stops when the ``ExitStack`` closes.
"""

from __future__ import annotations

import shutil
import subprocess
from contextlib import ExitStack
from pathlib import Path

from harness import NotRun, free_port, start_server, which

INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
DirsAllowed = ., {d}
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
ServerThreads = 8
MaxKeepAlives = 8
EnabledGzipContent = 0
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 300
"""
GRAPH = "https://w3id.org/govkg/graph/data"  # for triples without one; quads keep theirs


def start_virtuoso(stack: ExitStack, dump: Path, workdir: Path) -> str:
    virtuoso = which("virtuoso-t")
    isql = which("isql-vt")
    directory = (workdir / "virtuoso").resolve()
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    shutil.copy(dump, directory / "dump.nq")
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(INI.format(d=directory, sql_port=sql_port, http_port=http_port))
    server = start_server(stack, "virtuoso", [virtuoso, "-f", "-c", str(ini)], http_port,
                          "/sparql?query=ASK%7B%7D", log_dir=directory, timeout=300)
    load = (f"ld_dir('{directory}', 'dump.nq', '{GRAPH}'); rdf_loader_run(); checkpoint;")
    done = subprocess.run([isql, str(sql_port), "dba", "dba", f"exec={load}"],
                          capture_output=True, text=True, timeout=3600)
    if done.returncode != 0 or "Error" in done.stdout + done.stderr:
        raise NotRun(f"Virtuoso's bulk loader failed: {(done.stdout + done.stderr)[-500:]}")
    return server.url + "/sparql"
