"""How many heavy queries each client runs at once, counted across all server processes.

A client has ``limit`` slots, each a lock file in a directory the server processes share;
a heavy query holds one with ``flock`` while it runs. Locks belong to open files, so they
exclude each other between threads and processes alike, and the kernel drops them when a
process dies: no count can leak.

A slot's file is deleted by its holder before it lets go, so the directory holds files only
for queries running now (every client that ever ran a long query left two files behind).
Whoever locks a file checks that it is still the one at its path: one deleted meanwhile is
let go and the path tried again, so two holders never hold the same slot.
"""

import contextlib
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
            fd = _lock(path)
            if fd is None:
                continue
            try:
                yield
            finally:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()  # still locked: nobody else holds this file
                os.close(fd)  # closing the file releases its lock
            return
        raise NoSlotFree(client)

    def has_free(self, client: str) -> bool:
        """Whether ``client`` has a slot free now (it may be taken before it is used)."""
        return any(not path.exists() for path in self._paths(client)) or any(
            _probe(path) for path in self._paths(client))


def _lock(path: Path) -> int | None:
    """A descriptor holding the lock of the file at ``path``; None if another holds it."""
    while True:
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            current = os.stat(path).st_ino
        except FileNotFoundError:
            current = None
        if current == os.fstat(fd).st_ino:
            return fd
        os.close(fd)  # its holder deleted it as we opened it: try the new file


def _probe(path: Path) -> bool:
    fd = _lock(path)
    if fd is None:
        return False
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    os.close(fd)
    return True
