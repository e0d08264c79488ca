"""A machine client's answer sent as its query worker writes it (``query_worker``'s parts).

The status and headers go out with the first part; every later part is passed on as it
arrives, so the client's first bytes do not wait for the last, and the web process holds
one part at a time, not the whole answer. The answer is still complete or visibly not:
a stream that cannot end (the time limit, ``max_result_bytes``, a worker that died, the
server stopping) is logged with its reason and ends by raising ``StreamCut``, on which the
server closes the connection without the chunked body's last, empty chunk (HTTP/1.1), so
that every client reads an incomplete body, never a complete short one. What was sent is
kept, up to ``keep_bytes``, so that an answer that ended whole can go to the result cache
afterwards: ``answer`` then holds all its bytes and is no longer ``streamed``.
"""

import logging
from collections.abc import Callable, Iterator

from govkg.web.serve.query_pool import StreamCut
from govkg.web.serve.query_worker import QueryAnswer

log = logging.getLogger("govkg.stream")


class StreamedBody:
    """The body of a response carrying a streamed ``answer``."""

    def __init__(self, answer: QueryAnswer, keep_bytes: int,
                 on_cut: Callable[[StreamCut], None], request_id: str = "-") -> None:
        self.answer, self.keep_bytes, self.on_cut = answer, keep_bytes, on_cut
        self.request_id = request_id  # named in the log line of a cut, as in the access log
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        answer = self.answer
        kept: list[bytes] | None = [answer.body] if self.keep_bytes else None
        self.sent = len(answer.body)
        yield answer.body
        try:
            for part in answer.rest:
                self.sent += len(part)
                if kept is not None:
                    kept.append(part)
                    if self.sent > self.keep_bytes:
                        kept = None  # too big to keep: only passed on
                yield part
        except StreamCut as cut:
            log.warning("request id %s: a %s answer was cut after %s bytes (the client sees "
                        "an incomplete body): %s", self.request_id, answer.media_type,
                        f"{self.sent:,}", cut)
            self.on_cut(cut)
            raise
        if kept is not None:
            answer.body, answer.streamed, answer.rest = b"".join(kept), False, None

    def close(self) -> None:
        """The response is done with (read to its end, cut, or given up by the client)."""
        if self.answer.rest is not None:
            self.answer.rest.close()

    def read_whole(self) -> bytes:
        """Every byte of the answer at once (a HEAD request's length); ``StreamCut`` if it
        cannot end."""
        try:
            return b"".join(self)
        finally:
            self.close()
