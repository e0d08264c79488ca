"""Query answers kept for reuse: keyed by build, query, dataset, format and row limit;
bounded in bytes; one cache for all the web processes of a server.

The store changes only with a new build, so an answer computed once stays right for the
build's life, except for queries that ask for something new each time (``RAND``, ``NOW``,
``UUID``, ``STRUUID``, ``BNODE``) or fetch from elsewhere (``SERVICE``): those are never kept.
The key is a SHA-256 of the build id and the whole job a query worker would be given: the
query text, the dataset parameters, the format the client negotiated, ``max_rows``. The text
is normalised only where that is provably harmless (whitespace runs collapse when it has no
quote, comment or escape they could sit in; otherwise only the ends are trimmed).

The answers live in one SQLite file in the server's runtime directory (``govkg serve`` makes
it; without one, a file of this process's own), opened by every web process and thread of
the server: each answer is stored once, not once per process or thread, and a worker
restarted by gunicorn finds the answers its predecessor stored. Without a runtime directory
(an app made in-process) the file is private and removed with the cache. SQLite in WAL mode without
fsync (it is a cache: a crash loses nothing that matters): a hit is one indexed read that
never waits for a writer. The bytes held (bodies plus a fixed charge per entry) are counted
by a trigger in the transaction of every insert; past the bound, the oldest entries go
first, until a tenth of the bound is free (insertion order: a hit writes nothing, so
readers never take the write lock). An answer bigger than an eighth of the bound is not
kept. Opening the cache drops the answers of every other build.

The same file, under the same bound, keeps the server's documents (entity pages and their RDF
documents, the ontology, VoID …: ``govkg.web.page_cache``), stored as answers of kind
``document`` under a key of their own (``document_key``: a different first part, so no
document key equals an answer key) whose ETags start with ``d``.
"""

import contextlib
import hashlib
import json
import re
import shutil
import sqlite3
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path

from govkg.sparql_text import keywords
from govkg.web.serve.query_worker import AnswerStatus, QueryAnswer, QueryJob

FILE_NAME = "result-cache.sqlite"
APP_EXTENSION = "govkg.result_cache"  # where a web app keeps its ResultCache (or None)
DOCUMENT = "document"  # the kind of a kept document
ENTRY_OVERHEAD_BYTES = 128  # what SQLite spends on a row and its index entry, about
LARGEST_SHARE = 8  # an answer over max_bytes / LARGEST_SHARE is not kept
# past the bound, the oldest go until this share of it is left: a full cache then evicts once
# in several hundred stores, not at every one (five more statements each time)
EVICT_DOWN_TO = 0.9
BUSY_TIMEOUT_MS = 5000
UNREPEATABLE = {"RAND", "NOW", "UUID", "STRUUID", "BNODE", "SERVICE"}
_WHITESPACE = re.compile(r"\s+")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    key BLOB PRIMARY KEY, build TEXT NOT NULL, kind TEXT NOT NULL, media_type TEXT NOT NULL,
    rows INTEGER NOT NULL, truncated INTEGER NOT NULL, body BLOB NOT NULL,
    size INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS held (one INTEGER PRIMARY KEY CHECK (one = 1), bytes INTEGER NOT NULL);
INSERT OR IGNORE INTO held VALUES (1, 0);
CREATE TRIGGER IF NOT EXISTS count_held AFTER INSERT ON answers
    BEGIN UPDATE held SET bytes = bytes + NEW.size; END;
"""


@dataclass(frozen=True)
class CacheKey:
    digest: bytes  # what the entry is stored under
    prefix: str = "r"  # the first letter of its tag: r for answers, d for documents

    @property
    def tag(self) -> str:
        return self.prefix + self.digest[:12].hex()

    @property
    def etag(self) -> str:
        """A weak entity tag for the answer (weak: a re-evaluation may name blank nodes
        differently, but means the same)."""
        return f'W/"{self.tag}"'


def normalised(query: str) -> str:
    """``query`` with only the changes that cannot alter what it means."""
    text = query.strip()
    if any(mark in text for mark in ('"', "'", "#", "\\")):
        return text  # whitespace may sit in a string or comment, or come from an escape
    return _WHITESPACE.sub(" ", text)


def cacheable(query: str) -> bool:
    """Whether the query's answer is the same each time it runs on the same build."""
    return not UNREPEATABLE.intersection(keywords(query))


def cache_key(build: str, job: QueryJob) -> CacheKey:
    """The key of ``job``'s answer on ``build``: every field of the job counts (the query
    normalised), so whatever decides the answer a worker makes decides the key too; ``None``
    graph lists (the union, every graph) differ from empty ones."""
    parts = [build, *(normalised(job.query) if f.name == "query" else getattr(job, f.name)
                      for f in fields(job))]
    return CacheKey(hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).digest())


def document_key(build: str, parts: list[str]) -> CacheKey:
    """The key of a document on ``build``: ``parts`` are everything its bytes depend on."""
    text = json.dumps([DOCUMENT, build, *parts], ensure_ascii=False)
    return CacheKey(hashlib.sha256(text.encode()).digest(), "d")


class ResultCache:
    """Answers of one build in one SQLite file; safe to use from any thread or process."""

    def __init__(self, path: Path, build: str, max_bytes: int) -> None:
        self.path, self.build, self.max_bytes = path, build, max_bytes
        self._local = threading.local()
        with _writing(self._connection()) as db:  # another build's answers go at once
            db.execute("DELETE FROM answers WHERE build != ?", (build,))
            db.execute("UPDATE held SET bytes = (SELECT COALESCE(SUM(size), 0) FROM answers)")

    def _connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                 isolation_level=None, check_same_thread=True)
            _set_up(db)
            self._local.db = db
        return db

    def get(self, key: CacheKey) -> QueryAnswer | None:
        row = self._connection().execute(
            "SELECT kind, media_type, rows, truncated, body FROM answers WHERE key = ?",
            (key.digest,)).fetchone()
        if row is None:
            return None
        kind, media_type, rows, truncated, body = row
        return QueryAnswer(AnswerStatus.OK, kind, body, media_type, rows, bool(truncated))

    def put(self, key: CacheKey, answer: QueryAnswer) -> int | None:
        """Keep ``answer`` (a successful one) unless it is too big or kept already: then the
        bytes the cache holds, else None."""
        size = len(answer.body) + len(answer.media_type) + ENTRY_OVERHEAD_BYTES
        if answer.status is not AnswerStatus.OK or size > self.max_bytes // LARGEST_SHARE:
            return None
        db = self._connection()
        # one statement in a transaction of its own, the trigger counting its bytes (a
        # quarter of the round trips of BEGIN, INSERT, UPDATE and COMMIT); what it returns
        # is read before the trigger runs, so the bytes held after it are that plus its own
        added = db.execute(
            "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING "
            "RETURNING (SELECT bytes FROM held)",
            (key.digest, self.build, answer.kind, answer.media_type, answer.rows,
             int(answer.truncated), answer.body, size)).fetchall()  # all: the statement ends
        if not added:
            return None
        held = added[0][0] + size
        if held > self.max_bytes:
            with _writing(db):  # counted again inside: another process may have evicted
                held = db.execute("SELECT bytes FROM held").fetchone()[0]
                if held > self.max_bytes:
                    held -= self._evict(db, held - int(self.max_bytes * EVICT_DOWN_TO))
        return held

    @staticmethod
    def _evict(db: sqlite3.Connection, excess: int) -> int:
        """Drop the oldest entries until ``excess`` bytes are freed; the bytes freed."""
        freed, last = 0, None
        oldest = db.execute("SELECT rowid, size FROM answers ORDER BY rowid")
        for rowid, size in oldest:
            freed, last = freed + size, rowid
            if freed >= excess:
                break
        oldest.close()
        if last is not None:
            db.execute("DELETE FROM answers WHERE rowid <= ?", (last,))
            db.execute("UPDATE held SET bytes = bytes - ?", (freed,))
        return freed

    def held_bytes(self) -> int:
        return self._connection().execute("SELECT bytes FROM held").fetchone()[0]

    def entries(self) -> int:
        return self._connection().execute("SELECT COUNT(*) FROM answers").fetchone()[0]


def open_cache(settings: dict, build: str) -> ResultCache | None:
    """The server's result cache, or ``None`` when it is off (``result_cache_mb`` 0, or the
    data lives behind an external endpoint that may change without a new build)."""
    megabytes = float(settings.get("result_cache_mb") or 0)
    if megabytes <= 0 or settings.get("endpoint"):
        return None
    runtime = settings.get("runtime_dir")
    private = None if runtime else tempfile.mkdtemp(prefix="govkg-result-cache-")
    cache = ResultCache(Path(runtime or private) / FILE_NAME, build, int(megabytes * 2**20))
    if private:  # a cache of this process's own goes with it
        weakref.finalize(cache, shutil.rmtree, private, True)
    return cache


@contextlib.contextmanager
def _writing(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction that takes the lock at once (no reader upgrading to a writer, so
    no deadlock between processes), committed or rolled back."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _set_up(db: sqlite3.Connection) -> None:
    """WAL and the schema. Two server workers starting at once may both find a new file:
    switching it to WAL does not wait for the other's lock (SQLite answers "database is
    locked" at once, and a worker failed to start), so it is tried again until the busy
    timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")
            db.executescript(_SCHEMA)
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
