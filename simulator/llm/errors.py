"""Errors the LLM layer raises; each says what to do in one sentence."""

from __future__ import annotations

from simulator.errors import UserError


class LLMUnavailable(UserError):
    """The endpoint could not be reached, or kept failing, after every retry."""

    def __init__(self, message: str, *, unreachable: bool = False):
        super().__init__(message)
        #: No connection could be opened (refused, unknown host, connect timeout).
        self.unreachable = unreachable


class StructuredOutputError(Exception):
    """The model's reply did not fit the schema, even after one repair attempt.

    Callers catch it and fall back to the offline engine (see `fallback_provenance`).
    """

    def __init__(self, message: str, *, raw: str = "", provenance=None):
        super().__init__(message)
        self.raw = raw
        self.provenance = provenance


class FixtureMissing(UserError):
    """Replay mode met a request that was never recorded."""

    def __init__(self, message: str, *, key: str, nearest: str | None = None, diff: str = ""):
        super().__init__(message)
        self.key = key
        self.nearest = nearest
        self.diff = diff
