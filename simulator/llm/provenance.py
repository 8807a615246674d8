"""What produced an LLM result: engine, model, endpoint host, prompt and rubric refs, cost."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Provenance(BaseModel):
    """The stamp every LLM (or fallback) result carries; never holds an API key."""

    model_config = ConfigDict(extra="forbid")

    engine: str
    model: str | None = None
    base_url_host: str | None = None
    prompt: str | None = None  # id@version@sha256
    rubric: str | None = None  # id@version, passed in by the caller
    mode: str = "live"  # live, record or replay
    tokens_in: int = 0
    tokens_out: int = 0
    tokenizer: str | None = None
    cost_usd: float = 0.0
    cost_note: str | None = None
    latency_ms: float = 0.0
    attempts: int = 0
    cache_key: str | None = None
    served_by: str | None = None  # the model name the server reported
    response_format: str | None = None  # json_schema, json_object or instructions
    first_token_ms: float | None = None  # live calls: time to the first streamed token
    valid_first: bool | None = None  # structured calls: the first reply fit the schema
    valid: bool | None = None  # structured calls: a reply fit (the first or the repair)
    fallback: bool = False
    fallback_reason: str | None = None
    #: The parsed reply's tokens with log probabilities (`logprobs.TokenLogprob`), when
    #: they were asked for and sent; kept out of dumps, read by the grader.
    logprobs: list[Any] | None = Field(default=None, exclude=True, repr=False)


def fallback_provenance(
    reason: str, *, failed: Provenance | None = None, rubric: str | None = None
) -> Provenance:
    """The stamp for a result the offline engine produced because the LLM path failed.

    Keeps what the failed call knew (model, prompt, tokens spent) and records why.
    """
    if failed is None:
        return Provenance(engine="offline", rubric=rubric, fallback=True, fallback_reason=reason)
    return failed.model_copy(
        update={
            "engine": "offline",
            "rubric": rubric or failed.rubric,
            "fallback": True,
            "fallback_reason": reason,
        }
    )
