"""Answers the server gives without the app: requests refused while being read, and
gunicorn's own 400/414/431 pages, with the security headers and a request id all the same.

The app adds its headers to what it answers (``govkg.web.security``); a request refused
before it reaches the app (too large, too slow, malformed) is answered here, so that every
response a client sees carries ``X-Request-Id`` (also written to the error log) and the
headers that keep a browser from sniffing, framing or running what it shows.
"""

import os
from typing import Any

SECURITY_HEADERS = (
    b"X-Content-Type-Options: nosniff\r\n"
    b"Referrer-Policy: strict-origin-when-cross-origin\r\n"
    b"X-Frame-Options: DENY\r\n"
    b"Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
    b"Access-Control-Allow-Origin: *\r\n"
)


def new_request_id() -> str:
    return os.urandom(8).hex()


def refusal_bytes(status: int, reason: str, message: str, request_id: str) -> bytes:
    """A whole HTTP/1.1 answer that closes the connection: the reason as plain text."""
    body = f"{status} {reason}: {message}\nRequest id: {request_id}\n".encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
            f"X-Request-Id: {request_id}\r\n").encode() + SECURITY_HEADERS
    if status in (503, 429):
        head += b"Retry-After: 5\r\n"
    return head + b"\r\n" + body


class HeaderAddingSocket:
    """A client socket whose first write (gunicorn's error page) gets the security headers
    and ``request_id`` after its status line; everything else goes to the socket."""

    def __init__(self, sock: Any, request_id: str) -> None:
        self._sock = sock
        self._extra = f"X-Request-Id: {request_id}\r\n".encode() + SECURITY_HEADERS

    def sendall(self, data: bytes) -> None:
        line_end = data.find(b"\r\n")
        if self._extra and data.startswith(b"HTTP/") and line_end > 0:
            data = data[:line_end + 2] + self._extra + data[line_end + 2:]
        self._extra = b""
        self._sock.sendall(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)
