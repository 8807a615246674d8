"""Retries with exponential backoff and full jitter on 429, 5xx and dropped connections.

The openai client's own retries are switched off (`max_retries=0`) so a failure is
retried exactly here, once per attempt, never twice over.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


def is_unreachable(exc: BaseException) -> bool:
    """No connection could be opened: refused, unknown host, no route, connect timeout.

    Retrying these only waits longer for the same answer, so they fail at once.
    """
    import httpx

    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | ConnectionRefusedError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def is_retryable(exc: BaseException) -> bool:
    """429, any 5xx, a dropped connection or a read timeout; never an unreachable endpoint."""
    import openai

    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return not is_unreachable(exc)
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return False


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    value = getattr(response, "headers", {}).get("retry-after") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


@dataclass
class RetryPolicy:
    """How many times to retry and how long to wait between attempts."""

    retries: int = 3
    base: float = 0.5
    cap: float = 8.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, exc: BaseException | None = None) -> float:
        """Seconds to wait after failed attempt `attempt` (0-based): jittered, capped."""
        ceiling = min(self.cap, self.base * (2**attempt))
        wait = self.rng.uniform(ceiling / 2, ceiling)
        hinted = _retry_after(exc) if exc is not None else None
        if hinted is not None:
            wait = max(wait, min(hinted, self.cap))
        return wait

    def run(self, fn: Callable[[], T], on_attempt: Callable[[int], None] | None = None) -> T:
        """Call `fn` until it succeeds, fails for good, or retries run out (then re-raise)."""
        attempt = 0
        while True:
            if on_attempt is not None:
                on_attempt(attempt)
            try:
                return fn()
            except Exception as exc:
                if attempt >= self.retries or not is_retryable(exc):
                    raise
                self.sleep(self.delay(attempt, exc))
                attempt += 1
