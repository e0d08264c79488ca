"""How many heavy queries each client runs at once, counted across all server processes.

A client has ``limit`` slots, each a lock file in a directory the server processes share;
a heavy query holds one with ``flock`` while it runs. Locks belong to open files, so they
exclude each other between threads and processes alike, and the kernel drops them when a
process dies: no count can leak.
"""

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class NoSlotFree(Exception):
    """The client already runs as many heavy queries as it may."""


class ClientSlots:
    def __init__(self, directory: Path, limit: int) -> None:
        self.directory = directory
        self.limit = limit
        directory.mkdir(parents=True, exist_ok=True)

    def _paths(self, client: str) -> list[Path]:
        key = hashlib.sha256(client.encode("utf-8", "replace")).hexdigest()[:24]
        return [self.directory / f"{key}.{n}" for n in range(self.limit)]

    @contextmanager
    def hold(self, client: str) -> Iterator[None]:
        """Hold one of ``client``'s slots for the block; ``NoSlotFree`` if none is free."""
        for path in self._paths(client):
            fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield
            finally:
                os.close(fd)  # closing the file releases its lock
            return
        raise NoSlotFree(client)
