"""One writer at a time per data root: a file lock that several `staffsim` processes share.

Chroma's local store is not safe for concurrent writers in different processes (two first
`add`s race to create the same collection, and a client opened before another process wrote
can persist a stale index), so every write to `$STAFFSIM_HOME/chroma` happens under this lock.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from simulator.errors import UserError

#: How long a writer waits for another process's write before giving up.
WAIT_SECONDS = 600.0
_POLL = 0.05


class _FileLock:
    """An exclusive `flock` on one file, reentrant within a process (threads queue up)."""

    def __init__(self, path: Path):
        self.path = path
        self._threads = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    @contextmanager
    def hold(self, wait: float) -> Iterator[None]:
        if not self._threads.acquire(timeout=wait):
            raise _busy(self.path)
        try:
            if self._depth == 0:
                self._fd = _acquire(self.path, wait)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fd is not None:
                    _release(self._fd)
                    self._fd = None
        finally:
            self._threads.release()


_LOCKS: dict[Path, _FileLock] = {}
_GUARD = threading.Lock()


@contextmanager
def home_lock(home: Path, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the write lock of the data root `home` (created if missing)."""
    home.mkdir(parents=True, exist_ok=True)
    path = (home / "store.lock").resolve()
    with _GUARD:
        lock = _LOCKS.setdefault(path, _FileLock(path))
    with lock.hold(wait):
        yield


def _acquire(path: Path, wait: float) -> int:
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise _busy(path) from None
            time.sleep(_POLL)


def _release(fd: int) -> None:
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _busy(path: Path) -> UserError:
    return UserError(
        f"Another staffsim process has been writing to {path.parent} for too long; "
        "wait for it to finish and try again."
    )
