"""Warming up after launch: the page answers at once, the models load in a background thread.

`prepare(job)` names the warm-up before the page is built (so the page starts in its
"warming up" state), `.start()` runs it once the server answers; `wait()` is what a handler
calls before it needs the model (an early click waits for the warm-up instead of loading a
second copy); `banner()` is the page's "warming up" line, empty once the models are loaded.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger("staffsim.web")
#: Seconds a handler waits for the warm-up before it goes on (and loads what it needs itself).
WAIT_S = 300.0


class Warmup:
    """One warm-up job: its state, its duration and its error, if any."""

    def __init__(self, job: Callable[[], None] | None) -> None:
        self._job = job
        self._done = threading.Event()
        if job is None:  # nothing to warm: ready from the start
            self._done.set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.started: float | None = None
        self.seconds: float | None = None
        self.error: str | None = None

    def start(self) -> Warmup:
        """Run the job in a daemon thread (once; later calls do nothing)."""
        with self._lock:
            if self._thread is None and not self._done.is_set():
                self.started = time.perf_counter()
                self._thread = threading.Thread(target=self._run, daemon=True, name="warm-up")
                self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self._job()  # type: ignore[misc]
        except Exception as exc:  # noqa: BLE001 - the app still serves; handlers load lazily
            log.exception("warm-up failed")
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.seconds = time.perf_counter() - (self.started or time.perf_counter())
            self._done.set()
            print(f"StaffSim warm-up finished in {self.seconds:.1f} s.", flush=True)

    @property
    def ready(self) -> bool:
        """True once the job has finished (a warm-up with no job is ready from the start)."""
        return self._done.is_set()

    def wait(self, timeout: float = WAIT_S) -> bool:
        """Block until the job has finished; True when it did within `timeout`.

        A job that was prepared but never started is not waited for."""
        if self._thread is None:
            return self.ready
        return self._done.wait(timeout)

    def banner(self) -> str:
        """The page's warm-up line: what is loading, or nothing once it is done."""
        if not self.ready:
            waited = time.perf_counter() - self.started if self.started else 0.0
            return (
                f"**Warming up** — loading the grader and the embedding model ({waited:.0f} s so "
                "far). You can look around; a click that grades waits until it is ready."
            )
        if self.error:
            return "⚠ Warm-up did not finish; the first grade loads the model itself and is slower."
        return ""


_CURRENT = Warmup(None)


def current() -> Warmup:
    """The process's warm-up (one with nothing to do until `prepare` is called)."""
    return _CURRENT


def prepare(job: Callable[[], None]) -> Warmup:
    """Make `job` the process's warm-up, not yet started (see `Warmup.start`)."""
    global _CURRENT
    _CURRENT = Warmup(job)
    return _CURRENT


def wait() -> None:
    """Wait for the process's warm-up, if one is running."""
    _CURRENT.wait()
