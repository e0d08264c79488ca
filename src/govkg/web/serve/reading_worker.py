"""gunicorn's threaded worker, with each request read whole by the event loop before a
thread takes it.

gunicorn's ``gthread`` hands a new connection (and a kept-alive one that turns readable) to
a thread, which then reads the request with blocking calls. A thread per connection that
has not sent its request is what eight slow clients needed to hold all of a server's
threads (a header line every 15 s made ``/robots.txt`` wait 60 s). Here the worker's
event loop reads every request into a ``RequestReader``
(``govkg.web.serve.request_reader``) with non-blocking calls, and only a complete one goes
to a thread, with its bytes handed to gunicorn's parser: an idle or slow connection costs
a buffer in the event loop. A request must send its head within ``HEAD_SECONDS`` and its
body within ``BODY_SECONDS`` after that (408 otherwise); one too large is answered 413,
414 or 431 from the loop (``govkg.web.serve.refusals``), and never cut and run.

A kept-alive connection that turns readable is read at once, and waits on the loop only
for what has not arrived. The cost, measured with ``wrk -c8`` against gunicorn's own
reading on the shared 2-core machine (load 13-19): 2,720-2,820 against 2,870-2,960
``ASK {}`` answers/s, 4,600-4,870 against 4,990-5,300 ``/robots.txt``/s, in turns.

Two kinds of complete requests never reach a thread: one that comes again byte for byte
after a cache hit (``govkg.web.serve.replay``), and a query whose head the SPARQL lane has
answered (``govkg.web.serve.query_heads``), which the loop runs on a query worker itself
(``govkg.web.serve.loop_queries``).
"""

import contextlib
import errno
import selectors
import socket
import time
from datetime import timedelta
from functools import partial
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

from govkg.web.serve import query_heads
from govkg.web.serve.keeping import KeepingApp
from govkg.web.serve.loop_queries import LoopQueries, LoopQuery, outcome_of
from govkg.web.serve.query_heads import HeadBook, head_key, kept_for_replay
from govkg.web.serve.query_pool import stop_all_queries
from govkg.web.serve.query_worker import QueryAnswer
from govkg.web.serve.refusals import HeaderAddingSocket, new_request_id, refusal_bytes
from govkg.web.serve.replay import Kept, ReplayBook, Sent, answer_bytes, request_key
from govkg.web.serve.replay import timing as replay_timing
from govkg.web.serve.request_reader import Refusal, RequestReader

HEAD_SECONDS = 10.0  # from the request's first byte (or the connection) to its blank line
BODY_SECONDS = 30.0  # from the end of the head to the end of the body (1 MiB at 35 KB/s)
READ_BYTES = 1 << 16
# after a refusal, what the client still sends is read and dropped for this long, so that
# it reads the answer instead of a reset connection
LINGER_SECONDS = 2.0
LOOP = "loop"  # last in the Server-Timing of a query answered from the loop
NOTIFY_SECONDS = 1.0  # the master's timeout is 120 s
_TIMED_OUT = Refusal(408, "Request Timeout",
                     "The request did not arrive in time; the connection is closed.")


class Reading:
    """A connection whose request the event loop is reading."""

    def __init__(self, reader: RequestReader, deadline: float) -> None:
        self.reader = reader
        self.deadline = deadline
        self.continued = False  # whether ``100 Continue`` was sent


class ReadingThreadWorker(ThreadWorker):
    """gthread, reading each request in the event loop; threads only run the app."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reading: dict[Any, Reading] = {}
        self.lingering: dict[Any, float] = {}  # refused connections: their closing time
        self.replays = ReplayBook()
        self.heads = HeadBook()
        self.loop_queries: LoopQueries  # made with the app (``load_wsgi``): it needs the poller
        self.keeping: KeepingApp | None = None
        self._notified = float("-inf")

    def load_wsgi(self) -> None:
        """The app, wrapped so that the answers it marks are kept for replay."""
        super().load_wsgi()
        self.keeping = KeepingApp(self.wsgi, self.replays, self.heads)
        self.wsgi = self.keeping
        self.loop_queries = LoopQueries(self.poller, self._answered, self._loop_query_to_thread)

    def enqueue_req(self, conn: Any) -> None:
        """Read ``conn``'s next request in the event loop, then hand it to a thread."""
        ahead = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        reading = Reading(RequestReader(), time.monotonic() + HEAD_SECONDS)
        verdict = reading.reader.feed(ahead) if ahead else False
        if verdict is False:
            # a kept-alive connection is here because its request is arriving: read it now,
            # and wait on the loop only for what has not come yet
            _set_blocking(conn.sock, False)
            verdict = self._read(conn, reading)
            if verdict is None:
                return
            if verdict is False:
                self.reading[conn] = reading
                self.poller.register(conn.sock, selectors.EVENT_READ,
                                     partial(self._on_readable, conn))
                # the head may be in already: a client waiting for ``100 Continue`` gets it now
                self._judge(conn, reading, verdict)
                return
        self._judge(conn, reading, verdict)

    def _on_readable(self, conn: Any, _sock: Any) -> None:
        reading = self.reading[conn]
        verdict = self._read(conn, reading)
        if verdict is None:  # gone, and closed
            return
        if verdict is not False:
            self._stop_reading(conn)
        self._judge(conn, reading, verdict)

    def _read(self, conn: Any, reading: Reading) -> Refusal | bool | None:
        """What has arrived, fed to the reader: its verdict, or None when the client has
        gone (the connection is closed then)."""
        try:
            data = conn.sock.recv(READ_BYTES)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            data = b""
        if not data:
            self._stop_reading(conn)
            self._close(conn)
            return None
        had_head = reading.reader.head_end is not None
        verdict = reading.reader.feed(data)
        if not had_head and reading.reader.head_end is not None:
            reading.deadline = time.monotonic() + BODY_SECONDS
        return verdict

    def _judge(self, conn: Any, reading: Reading, verdict: Refusal | bool) -> None:
        """Act on the reader's verdict: wait (with ``100 Continue`` where the client asks
        for it), refuse, or hand the complete request to a thread."""
        if verdict is False:
            if reading.reader.wants_continue() and not reading.continued:
                reading.continued = True
                self._send(conn, b"HTTP/1.1 100 Continue\r\n\r\n")
            return
        if isinstance(verdict, Refusal):
            self._refuse(conn, verdict)
            return
        data = reading.reader.request_bytes()
        conn.govkg_key = request_key(conn.client, data)
        conn.govkg_head = None
        if conn.govkg_key is not None and self._may_replay():
            kept = self.replays.get(conn.govkg_key)
            if kept is not None:
                self._replay(conn, kept)
                return
            if self._query_from_loop(conn, data):
                return
        self._to_thread(conn, data)

    def _to_thread(self, conn: Any, data: bytes, handed: Any = None) -> None:
        """The request goes to a thread (with a query the loop ran, or its outcome)."""
        conn.govkg_request = data
        conn.govkg_handed = handed
        super().enqueue_req(conn)

    def _query_from_loop(self, conn: Any, data: bytes) -> bool:
        """Whether a query whose head the app marked (``govkg.web.serve.query_heads``) is
        answered from the loop: now from the result cache, or once a query worker has
        (``govkg.web.serve.loop_queries``)."""
        cut = head_key(conn.client, conn.server, data)
        if cut is None:
            return False
        conn.govkg_head, target, value = cut
        head = self.heads.get(conn.govkg_head)
        if head is None or self.cfg.is_ssl:
            return False
        try:
            query = head.mark.begin(target, value)
            kept = query.kept() if query is not None else None
        except Exception:  # the loop goes on; the whole way meets it too, and answers 500
            self.log.exception("a query could not be taken by the event loop")
            return False
        if query is None:
            return False
        item = LoopQuery(conn, data, query, target, head)
        if kept is not None:
            self._send_query_answer(item, kept, query.headers(kept, None, LOOP), hit=True)
            return True
        return self.loop_queries.take(item)

    def _answered(self, item: LoopQuery, outcome: QueryAnswer | Exception) -> None:
        """A query the loop ran is over: its answer sent, or its request and outcome handed
        to a thread, for the whole way to answer."""
        query = item.query
        headers = None if isinstance(outcome, Exception) else query.headers(
            outcome, outcome.seconds, LOOP)
        if headers is None:
            self._to_thread(item.conn, item.data,
                            query.handed(outcome, time.perf_counter() - query.started))
        else:
            self._send_query_answer(item, outcome, headers)  # type: ignore[arg-type]

    def _loop_query_to_thread(self, item: LoopQuery) -> None:
        self._to_thread(item.conn, item.data, item if item.run is not None else None)

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        """gunicorn's wait, shortened to the next step of a query the loop runs."""
        super().wait_for_and_dispatch_events(self.loop_queries.wait_seconds(timeout))
        self.loop_queries.hand_over_slow()

    def _send_query_answer(self, item: LoopQuery, answer: QueryAnswer,
                           headers: list[tuple[str, str]] | None, hit: bool = False) -> None:
        assert headers is not None
        self._send_answer(item.conn, query_heads.answer_bytes(item.head, headers, answer.body))
        try:
            self._count_query_answer(item, answer, headers, hit)
        except Exception:  # the answer is out, and the loop goes on
            self.log.exception("an answer sent from the event loop was not counted or kept")

    def _count_query_answer(self, item: LoopQuery, answer: QueryAnswer,
                            headers: list[tuple[str, str]], hit: bool) -> None:
        """Count (and store) an answer sent from the loop, keep a hit for replay, log it."""
        item.query.sent(answer, hit)
        if hit:  # sent again as it is when its very request comes again, as the lane's hit
            kept = kept_for_replay(item.head, headers, answer.body, item.target,
                                   item.query.replayed())
            if kept is not None:
                self.replays.keep(item.conn.govkg_key, kept)
        seconds = time.perf_counter() - item.query.started
        self.log.access(query_heads.Sent(len(answer.body), headers), None,
                        {**item.head.logged, "RAW_URI": item.target},
                        timedelta(seconds=seconds))

    def _may_replay(self) -> bool:
        """Whether an answer sent from the loop may keep its connection alive, as the app's
        would (gunicorn closes it when stopping or holding too many idle ones)."""
        return self.alive and bool(self.cfg.keepalive) \
            and len(self.keepalived_conns) < self.max_keepalived

    def _replay(self, conn: Any, kept: Kept) -> None:
        """Send ``kept`` again (``govkg.web.serve.replay``), log and count it, and wait for the
        connection's next request; what the socket does not take now, a thread sends."""
        started = time.perf_counter()
        request_id = new_request_id()
        timing = replay_timing(time.perf_counter() - started)
        self._send_answer(conn, answer_bytes(kept, request_id, timing))
        seconds = time.perf_counter() - started
        kept.count(seconds)
        self.log.access(Sent(kept, len(kept.body), request_id, timing), None, kept.environ,
                        timedelta(seconds=seconds))

    def _send_answer(self, conn: Any, data: bytes) -> None:
        """Send an answer from the loop and wait for the connection's next request; what
        the socket does not take now, a thread sends."""
        try:
            conn.sock.setblocking(False)  # a pipelined request may find it blocking
            sent = conn.sock.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self._close(conn)
            return
        if sent < len(data):
            future = self.tpool.submit(self._send_rest, conn, data[sent:])
            future.add_done_callback(
                lambda done: self.method_queue.defer(self.finish_request, conn, done))
        else:
            conn.set_timeout()
            self.keepalived_conns.append(conn)
            self.poller.register(conn.sock, selectors.EVENT_READ,
                                 partial(self.on_client_socket_readable, conn))

    @staticmethod
    def _send_rest(conn: Any, rest: bytes) -> bool:
        """In a thread: the rest of an answer sent again; True keeps the connection."""
        conn.init()  # the parser that ``finish_request`` reads, made if it is not yet
        conn.sock.setblocking(True)
        conn.sock.sendall(rest)
        return True

    def handle(self, conn: Any) -> Any:
        """In a thread: give gunicorn's parser the request read by the loop, then serve it."""
        data = getattr(conn, "govkg_request", None)
        handed = getattr(conn, "govkg_handed", None)
        conn.govkg_handed = None
        if isinstance(handed, LoopQuery):  # still running when the loop let it go
            handed = handed.query.handed(outcome_of(handed),
                                         time.perf_counter() - handed.query.started)
        if self.keeping is not None:
            self.keeping.serving(getattr(conn, "govkg_key", None) if data is not None else None,
                                 getattr(conn, "govkg_head", None) if data is not None else None,
                                 handed)
        if data is not None:
            conn.govkg_request = None
            conn.data_ready = True
            conn.init()  # a new connection's parser (gunicorn's handle makes the socket blocking)
            conn.parser.unreader.unread(data)
        return super().handle(conn)

    def _keepalive_after(self, conn: Any, keepalive: bool) -> bool:
        """Whether the connection stays open. A lone bodiless GET (one with a replay key)
        left no body to drain: gunicorn's drain would set the socket's timeout and set it
        back (two system calls) to read nothing."""
        if keepalive and getattr(conn, "govkg_key", None) is not None:
            return True
        return super()._keepalive_after(conn, keepalive)

    def notify(self) -> None:
        """Tell the master this worker is alive: at most once a second (gunicorn tells it
        at every turn of the event loop, a system call per request)."""
        now = time.monotonic()
        if now - self._notified >= NOTIFY_SECONDS:
            self._notified = now
            super().notify()

    def handle_exit(self, sig: Any, frame: Any) -> None:
        """SIGTERM: stop the running queries, so that each is answered 503 within the
        graceful timeout rather than cut off when the process exits."""
        stop_all_queries()
        super().handle_exit(sig, frame)

    def handle_error(self, req: Any, client: Any, addr: Any, exc: Any) -> None:
        """gunicorn's own error pages (400 for a malformed request …), with the security
        headers and a request id, which the error log names too."""
        request_id = new_request_id()
        self.log.warning("request id %s: %s", request_id, exc)
        super().handle_error(req, HeaderAddingSocket(client, request_id), addr, exc)

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        for conn, reading in list(self.reading.items()):
            idle = not reading.reader.data
            if reading.deadline <= now or (idle and not self.alive):
                self._stop_reading(conn)
                if idle:
                    self._close(conn)
                else:
                    self._refuse(conn, _TIMED_OUT)
        for conn, closing in list(self.lingering.items()):
            if closing <= now:
                self._stop_lingering(conn)

    def _refuse(self, conn: Any, refusal: Refusal) -> None:
        request_id = new_request_id()
        self.log.warning("refused a request from %s (request id %s): %s %s",
                         _address(conn.client), request_id, refusal.status, refusal.message)
        self._send(conn, refusal_bytes(refusal.status, refusal.reason, refusal.message,
                                       request_id))
        try:
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self._close(conn)
            return
        self.lingering[conn] = time.monotonic() + LINGER_SECONDS
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_lingering, conn))

    def _on_lingering(self, conn: Any, _sock: Any) -> None:
        try:
            if conn.sock.recv(READ_BYTES):
                return
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            pass
        self._stop_lingering(conn)

    def _stop_lingering(self, conn: Any) -> None:
        self.lingering.pop(conn, None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(conn.sock)
        self._close(conn)

    def _send(self, conn: Any, data: bytes) -> None:
        """Send what the socket takes now; a client that reads nothing gets no more."""
        try:
            conn.sock.send(data)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EPIPE, errno.ECONNRESET):
                self.log.debug("could not answer a refused request: %s", error)

    def _stop_reading(self, conn: Any) -> None:
        self.reading.pop(conn, None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(conn.sock)

    def _close(self, conn: Any) -> None:
        self.nr_conns -= 1
        conn.close()


def _set_blocking(sock: socket.socket, blocking: bool) -> None:
    """``setblocking``, unless the socket already is so (each call is a system call; the
    mode is known without one)."""
    if sock.gettimeout() != (None if blocking else 0.0):
        sock.setblocking(blocking)


def _address(client: Any) -> str:
    return client[0] if isinstance(client, tuple) and client else str(client or "-")
