"""What one call to an endpoint produced: a reply, a call's tally, a text stream, parsing.

Plain containers the engine fills (`engine`), and the tolerant parser that turns a
structured reply into its pydantic model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from simulator.llm import logprobs
from simulator.llm.costs import count_messages, count_tokens
from simulator.llm.provenance import Provenance

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


@dataclass
class Completion:
    """One reply from the endpoint or a fixture."""

    text: str
    key: str
    attempts: int = 0
    latency_ms: float = 0.0
    served_by: str | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    first_token_ms: float | None = None
    #: Whether the request asked for logprobs, and the tokens the reply carried.
    asked_logprobs: bool = False
    logprobs: list[logprobs.TokenLogprob] | None = None


@dataclass
class Tally:
    """What a call spent across its requests (the first try and any repair)."""

    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: float = 0.0
    attempts: int = 0
    key: str | None = None
    served_by: str | None = None
    response_format: str | None = None
    first_token_ms: float | None = None
    logprobs: list[logprobs.TokenLogprob] | None = None

    def add(self, messages: list[dict[str, str]], done: Completion, model: str) -> None:
        self.tokens_in += count_messages(messages, model)
        self.tokens_out += count_tokens(done.text, model)
        if self.first_token_ms is None:
            self.first_token_ms = done.first_token_ms
        self.latency_ms += done.latency_ms
        self.attempts += done.attempts
        self.key = done.key
        self.served_by = done.served_by or self.served_by
        self.logprobs = done.logprobs  # the last reply's: the one that is parsed


class TextStream:
    """An iterator of text chunks; `.text` and `.provenance` are set once it is exhausted."""

    def __init__(self, chunks: Iterator[str], finish: Callable[[str], Provenance]):
        self._chunks = chunks
        self._finish = finish
        self._parts: list[str] = []
        self.text: str | None = None
        self.provenance: Provenance | None = None

    def __iter__(self) -> Iterator[str]:
        for chunk in self._chunks:
            self._parts.append(chunk)
            yield chunk
        self.text = "".join(self._parts)
        self.provenance = self._finish(self.text)


def parse_structured(text: str, schema_cls: type[BaseModel]) -> BaseModel:
    """Validate a reply into `schema_cls`, tolerating code fences and stray prose."""
    fenced = _FENCE.match(text)
    body = fenced.group(1) if fenced else text.strip()
    try:
        return schema_cls.model_validate_json(body)
    except ValidationError:
        start, end = body.find("{"), body.rfind("}")
        if start <= 0 or end <= start:
            raise
        return schema_cls.model_validate_json(body[start : end + 1])


def first_error(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "(root)"
        lines.append(f"{where}: {err['msg']}")
    more = len(exc.errors()) - 5
    return "; ".join(lines) + (f"; and {more} more" if more > 0 else "")
