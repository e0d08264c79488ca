"""Files written whole or not at all: a reader (another process) never sees half a file, and
a failed or interrupted write leaves nothing behind; and cached files checked against the
checksum written last, beside them.

A cached file is trusted only with its checksum file (``NAME.sha256``), written after the
file itself is in place: a file cut short or garbled afterwards (a full disk, a copy
interrupted, a bad sector), or one whose writer died before the checksum, does not match,
and its reader rebuilds it instead of serving a part as the whole.
"""

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger("govkg.files")
_BLOCK = 1 << 20


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed into place when the block ends,
    removed if it raises."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def write_checksum(path: Path) -> None:
    """Record ``path``'s checksum beside it: the last step of writing a cached file."""
    write_atomically(checksum_path(path), f"{file_digest(path)}  {path.name}\n".encode())


def is_intact(path: Path) -> bool:
    """Whether ``path`` exists and matches its recorded checksum; a file that does not is
    deleted (with its checksum), so that it is built again."""
    if not path.is_file():
        return False
    try:
        recorded = checksum_path(path).read_text(encoding="ascii").split()[0]
    except (OSError, ValueError, IndexError):
        recorded = ""
    if recorded and recorded == file_digest(path):
        return True
    log.warning("%s does not match its checksum: building it again", path)
    path.unlink(missing_ok=True)
    checksum_path(path).unlink(missing_ok=True)
    return False
