"""WSGI middleware, outermost, made by the server worker: what the app marks in the environ
is kept for the worker's event loop. An answer marked replayable goes to the replay book
(``govkg.web.serve.replay``) under the request's key; a request marked by the SPARQL lane
has its head kept (``govkg.web.serve.query_heads``). Before the app runs, the environ gets
what the loop handed over with the request."""

import threading
from collections.abc import Callable, Iterable
from typing import Any

from govkg.web.serve.query_heads import QUERY_HEAD, HeadBook, head_of
from govkg.web.serve.replay import (
    RENEWED,
    REPLAYABLE,
    Replayable,
    ReplayBook,
    kept_alive,
    kept_answer,
)


class KeepingApp:
    def __init__(self, app: Callable, book: ReplayBook, heads: HeadBook | None = None) -> None:
        self.app = app
        self.book = book
        self.heads = heads if heads is not None else HeadBook()
        self._current = threading.local()

    def serving(self, key: bytes | None, head: bytes | None = None,
                handed: dict[str, Any] | None = None) -> None:
        """Called by the worker's thread before it hands a request to the app: the keys
        its answer and head may be kept under, and what the loop hands over with it."""
        self._current.key, self._current.head, self._current.handed = key, head, handed

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        current = self._current
        key = getattr(current, "key", None)
        head = getattr(current, "head", None)
        handed = getattr(current, "handed", None)
        current.key = current.head = current.handed = None
        if handed:
            environ.update(handed)
        if key is None and head is None:
            return self.app(environ, start_response)
        started: list[Any] = []

        def keeping_start_response(status: str, headers: list, exc_info: Any = None) -> Any:
            started[:] = [status, headers]
            return start_response(status, headers, exc_info)

        answer = self.app(environ, keeping_start_response)
        if not started or not kept_alive(environ):
            return answer
        mark = environ.get(QUERY_HEAD)
        if head is not None and mark is not None and started[0].startswith("200 "):
            self.heads.keep(head, head_of(mark, started[1], environ, RENEWED))
        replayable = environ.get(REPLAYABLE)
        if key is None or not isinstance(replayable, Replayable):
            return answer
        try:
            body = b"".join(answer)
        finally:
            if hasattr(answer, "close"):
                answer.close()
        kept = kept_answer(started[0], started[1], body, environ, replayable)
        if kept is not None:
            self.book.keep(key, kept)
        return [body]
