"""A circuit breaker per endpoint: after a refused or unreachable endpoint, calls skip it for a while.

A dead endpoint refuses every request the same way, so once one call has found it dead the
next ones in this process go straight to the offline fallback instead of each paying for a
connection attempt. After `OPEN_SECONDS` one call tries again; if it fails, the breaker reopens.
"""

from __future__ import annotations

import threading
import time

#: How long calls skip an endpoint found unreachable.
OPEN_SECONDS = 30.0

_open_until: dict[str, float] = {}
_lock = threading.Lock()


def is_open(endpoint: str) -> bool:
    """Whether calls to `endpoint` should fail at once (it was unreachable moments ago)."""
    with _lock:
        until = _open_until.get(endpoint)
        if until is None:
            return False
        if time.monotonic() >= until:
            del _open_until[endpoint]  # half-open: the next call tries the endpoint again
            return False
        return True


def trip(endpoint: str, seconds: float | None = None) -> None:
    """Record that `endpoint` is unreachable (for `OPEN_SECONDS` unless told otherwise)."""
    with _lock:
        _open_until[endpoint] = time.monotonic() + (OPEN_SECONDS if seconds is None else seconds)


def reset(endpoint: str | None = None) -> None:
    """Forget one endpoint's failure, or every endpoint's."""
    with _lock:
        if endpoint is None:
            _open_until.clear()
        else:
            _open_until.pop(endpoint, None)
