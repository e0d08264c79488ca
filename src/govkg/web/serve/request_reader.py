"""A request read whole before a thread takes it: fed bytes as they arrive, it says when
the head and body are in, or why the request is refused.

gunicorn's threaded worker gave each new connection a thread that then read the request
with blocking calls: eight clients sending their headers a line every 15 s held all eight
threads of a default server, and every other client waited. Here the worker's event loop
reads (``govkg.web.serve.reading_worker``), and a request reaches a thread only once it is
complete, so a slow or idle connection costs a buffer, not a thread.

The reader knows only HTTP/1.1 framing: where the head ends, how long the body is
(``Content-Length`` or chunked), and the size caps. Everything else (methods, header
syntax, conflicting framing) is left to gunicorn's parser, which gets the same bytes: a
head this reader cannot frame is passed on as it is, and gunicorn answers it. Each byte is
looked at a bounded number of times, so reading is linear in the request's size.
"""

import re
from dataclasses import dataclass

MAX_BODY_BYTES = 1 << 20  # a larger body is answered 413, never cut and run
MAX_REQUEST_LINE = 8190  # gunicorn's largest; a longer request line is answered 414
MAX_HEAD_BYTES = 64 << 10  # a longer head (all header fields) is answered 431
_MAX_CHUNK_LINE = 1024  # a chunk-size line with extensions; longer is not HTTP
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(;[^\r\n]*)?")


@dataclass(frozen=True)
class Refusal:
    """Why a request is answered without reaching the app."""

    status: int
    reason: str
    message: str


class RequestReader:
    """One request's bytes as they come; ``feed`` says whether it is complete."""

    def __init__(self, data: bytes = b"") -> None:
        self.data = bytearray()
        self.head_end: int | None = None  # offset just past the blank line ending the head
        self.expects_continue = False
        self._body_length: int | None = None  # Content-Length, once the head is read
        self._chunked = False
        self._chunk_at = 0  # where the next chunk-size line starts (chunked bodies)
        self._chunk_body = 0  # body bytes in the chunks read so far
        self._trailers = False  # the last chunk is read: the trailer section follows
        self._done = False
        self._searched = 0  # the head's end was looked for up to here
        self._line_read = False  # the request line is known to be within its cap
        if data:
            self.feed(data)

    def feed(self, data: bytes) -> Refusal | bool:
        """Add ``data``; True once the request is complete (or can only be judged by
        gunicorn), False while more is needed, a ``Refusal`` for a request refused here."""
        self.data += data
        if self._done:
            return True
        if self.head_end is None:
            verdict = self._read_head()
            if verdict is not True:
                return verdict
        verdict = self._read_body()
        if verdict is True:
            self._done = True
        return verdict

    def wants_continue(self) -> bool:
        """Whether the client waits for ``100 Continue`` before it sends its body."""
        return self.expects_continue and self.head_end is not None and not self._done

    def request_bytes(self) -> bytes:
        """The bytes to hand to gunicorn: the request as sent, without an ``Expect:
        100-continue`` this reader has already answered."""
        if not self.expects_continue or self.head_end is None:
            return bytes(self.data)
        head = bytes(self.data[:self.head_end])
        kept = [line for line in head.split(b"\r\n")
                if not line.lower().startswith(b"expect:")]
        return b"\r\n".join(kept) + bytes(self.data[self.head_end:])

    def _read_head(self) -> Refusal | bool:
        start = max(0, self._searched - 3)
        end = self.data.find(b"\r\n\r\n", start)
        self._searched = len(self.data)
        if end < 0 and len(self.data) > MAX_REQUEST_LINE + 2 and not self._line_read:
            self._line_read = self.data.find(b"\r\n", 0, MAX_REQUEST_LINE + 2) >= 0
        if end < 0 and len(self.data) > MAX_REQUEST_LINE + 2 and not self._line_read:
            return Refusal(414, "URI Too Long",
                           f"The request line is longer than {MAX_REQUEST_LINE} bytes: send a "
                           "long query by POST instead.")
        if end < 0:
            if len(self.data) > MAX_HEAD_BYTES:
                return Refusal(431, "Request Header Fields Too Large",
                               f"The request's header fields are longer than {MAX_HEAD_BYTES} "
                               "bytes in all.")
            return False
        if end + 4 > MAX_HEAD_BYTES:
            return Refusal(431, "Request Header Fields Too Large",
                           f"The request's header fields are longer than {MAX_HEAD_BYTES} "
                           "bytes in all.")
        self.head_end = end + 4
        return self._frame(bytes(self.data[:end]))

    def _frame(self, head: bytes) -> Refusal | bool:
        """Read the framing headers; True when only gunicorn can judge the framing."""
        lengths, codings = [], []
        for line in head.split(b"\r\n")[1:]:
            name, colon, value = line.partition(b":")
            if not colon:
                continue
            name, value = name.strip().lower(), value.strip()
            if name == b"content-length":
                lengths.append(value)
            elif name == b"transfer-encoding":
                codings.append(value.lower())
            elif name == b"expect" and value.lower() == b"100-continue":
                self.expects_continue = True
        if codings:
            if lengths or codings != [b"chunked"]:
                return self._pass_on()  # gunicorn refuses or answers what it cannot read
            self._chunked = True
            self._chunk_at = self.head_end or 0
            return True
        if not lengths:
            self._body_length = 0
            return True
        if len(set(lengths)) != 1 or not lengths[0].isdigit():
            return self._pass_on()
        self._body_length = int(lengths[0])
        if self._body_length > MAX_BODY_BYTES:
            return _too_large()
        return True

    def _pass_on(self) -> bool:
        self._body_length = 0
        self.expects_continue = False
        return True

    def _read_body(self) -> Refusal | bool:
        assert self.head_end is not None
        if not self._chunked:
            return len(self.data) - self.head_end >= (self._body_length or 0)
        while True:
            if self._trailers:
                return self._read_trailers()
            line_end = self.data.find(b"\r\n", self._chunk_at, self._chunk_at + _MAX_CHUNK_LINE)
            if line_end < 0:
                if len(self.data) - self._chunk_at > _MAX_CHUNK_LINE:
                    return Refusal(400, "Bad Request", "A chunk-size line is malformed.")
                return False
            match = _CHUNK_SIZE.fullmatch(self.data, self._chunk_at, line_end)
            if match is None:
                return Refusal(400, "Bad Request", "A chunk-size line is malformed.")
            size = int(match.group(1), 16)
            if self._chunk_body + size > MAX_BODY_BYTES:
                return _too_large()
            if size == 0:
                self._chunk_at = line_end + 2
                self._trailers = True
                continue
            chunk_end = line_end + 2 + size
            if len(self.data) < chunk_end + 2:
                return False  # the same line is read again with the rest: a few bytes
            if self.data[chunk_end:chunk_end + 2] != b"\r\n":
                return Refusal(400, "Bad Request", "A chunk does not end where its size says.")
            self._chunk_body += size
            self._chunk_at = chunk_end + 2

    def _read_trailers(self) -> Refusal | bool:
        if self.data[self._chunk_at:self._chunk_at + 2] == b"\r\n":
            return True
        if len(self.data) - self._chunk_at < 2:
            return False
        end = self.data.find(b"\r\n\r\n", self._chunk_at)
        if end < 0:
            if len(self.data) - self._chunk_at > MAX_HEAD_BYTES:
                return Refusal(431, "Request Header Fields Too Large",
                               "The request's trailer fields are too long.")
            return False
        return True


def _too_large() -> Refusal:
    return Refusal(413, "Content Too Large",
                   f"The request body is larger than {MAX_BODY_BYTES} bytes (1 MiB); nothing of "
                   "it was run.")
