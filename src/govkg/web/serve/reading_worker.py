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

from govkg.web.serve.query_pool import stop_all_queries
from govkg.web.serve.refusals import HeaderAddingSocket, new_request_id, refusal_bytes
from govkg.web.serve.replay import KeepingApp, Kept, ReplayBook, Sent, answer_bytes, request_key
from govkg.web.serve.replay import timing as replay_timing
from govkg.web.serve.request_reader import Refusal, RequestReader

HEAD_SECONDS = 10.0  # from the request's first byte (or the connection) to its blank line
BODY_SECONDS = 30.0  # from the end of the head to the end of the body (1 MiB at 35 KB/s)
READ_BYTES = 1 << 16
# after a refusal, what the client still sends is read and dropped for this long, so that
# it reads the answer instead of a reset connection
LINGER_SECONDS = 2.0
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
        self.keeping: KeepingApp | None = None
        self._notified = float("-inf")

    def load_wsgi(self) -> None:
        """The app, wrapped so that the answers it marks are kept for replay."""
        super().load_wsgi()
        self.keeping = KeepingApp(self.wsgi, self.replays)
        self.wsgi = self.keeping

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
        if conn.govkg_key is not None and self._may_replay():
            kept = self.replays.get(conn.govkg_key)
            if kept is not None:
                self._replay(conn, kept)
                return
        conn.govkg_request = data
        super().enqueue_req(conn)

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
        data = answer_bytes(kept, request_id, timing)
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
        seconds = time.perf_counter() - started
        kept.count(seconds)
        self.log.access(Sent(kept, len(kept.body), request_id, timing), None, kept.environ,
                        timedelta(seconds=seconds))

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
        if self.keeping is not None:
            self.keeping.serving(getattr(conn, "govkg_key", None) if data is not None else None)
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
