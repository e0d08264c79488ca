"""The pipe between a web process and a query worker: pickled messages over a socket pair.

Each message is its length (4 bytes, big-endian) and its pickle, written with one
``sendmsg`` and read with one ``recv`` when it fits in ``FIRST_READ`` bytes (a query, and
most answers). ``multiprocessing.connection.Connection`` reads the length and the body
separately, and builds a pickler with its own reducer table for each message: on the
SPARQL fast path that was a tenth of the hand-over's cost.
"""

import pickle
import select
import socket
from typing import Any

FIRST_READ = 1 << 16
_LENGTH_BYTES = 4


class Channel:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._pending = b""  # what was read beyond the last message
        self._poller = select.poll()
        self._poller.register(sock.fileno(), select.POLLIN)

    def send(self, message: Any) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        header = len(data).to_bytes(_LENGTH_BYTES, "big")
        sent = self.sock.sendmsg([header, data])
        if sent < len(header) + len(data):  # a big answer: the rest as the socket drains
            self.sock.sendall((header + data)[sent:])

    def receive(self) -> Any:
        """The next message; ``EOFError`` when the other end has closed."""
        data = self._pending
        while len(data) < _LENGTH_BYTES:
            data += self._recv(FIRST_READ)
        end = _LENGTH_BYTES + int.from_bytes(data[:_LENGTH_BYTES], "big")
        if len(data) >= end:  # the usual case: it came whole, in one read
            self._pending = data[end:]
            return pickle.loads(memoryview(data)[_LENGTH_BYTES:end])
        whole = bytearray(end - _LENGTH_BYTES)  # read the rest exactly, into place
        got = len(data) - _LENGTH_BYTES
        whole[:got] = memoryview(data)[_LENGTH_BYTES:]
        view = memoryview(whole)
        while got < len(whole):
            read = self.sock.recv_into(view[got:])
            if not read:
                raise EOFError
            got += read
        self._pending = b""
        return pickle.loads(whole)

    def ready_within(self, seconds: float) -> bool:
        """Whether a message (or the end of the pipe) arrives within ``seconds``."""
        return bool(self._pending) or bool(self._poller.poll(max(0, int(seconds * 1000))))

    def fileno(self) -> int:
        return self.sock.fileno()

    def close(self) -> None:
        self.sock.close()

    def _recv(self, most: int) -> bytes:
        chunk = self.sock.recv(most)
        if not chunk:
            raise EOFError
        return chunk
