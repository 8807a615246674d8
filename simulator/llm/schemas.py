"""Structured-output schemas: pydantic models the LLM must fill, registered by name.

Prompt files name their output schema by a string key; `get_schema(name)` turns it
into the model class. Other packages register their own with `register_schema`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from simulator.errors import UserError

_SCHEMAS: dict[str, type[BaseModel]] = {}


def register_schema(name: str, model_cls: type[BaseModel]) -> type[BaseModel]:
    """Register `model_cls` under `name`; re-registering the same class is a no-op."""
    existing = _SCHEMAS.get(name)
    if existing is not None and existing is not model_cls:
        raise ValueError(f"schema {name!r} is already registered to {existing.__qualname__}")
    _SCHEMAS[name] = model_cls
    return model_cls


def get_schema(name: str) -> type[BaseModel]:
    """The model class registered under `name`."""
    try:
        return _SCHEMAS[name]
    except KeyError:
        known = ", ".join(sorted(_SCHEMAS)) or "none"
        raise UserError(
            f"No output schema named {name!r} is registered (known: {known}); "
            "call simulator.llm.schemas.register_schema before using the prompt."
        ) from None


def schema_names() -> list[str]:
    """Every registered schema name, sorted."""
    return sorted(_SCHEMAS)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LLMSignalScore(_Strict):
    """One rubric signal as the model scored it."""

    id: str
    score: int = Field(ge=0, le=4)
    evidence: list[str] = Field(description="Verbatim quotes from the candidate text.")
    feedback: str


class LLMGrade(_Strict):
    """A grade of an answer or an artifact, as the model returns it."""

    signals: list[LLMSignalScore]
    overall: int = Field(ge=1, le=5)
    pitfalls: list[str]
    suggestions: list[str]
    injection_detected: bool


class LLMCheckAnswer(_Strict):
    """One check answered by the model: yes or no, and the sentence that shows it."""

    id: str = Field(description="The check id as given under its signal.")
    passed: bool
    quote: str = Field(
        default="", description="The one sentence of the text that meets the check, verbatim."
    )


class LLMSignalChecks(_Strict):
    id: str
    checks: list[LLMCheckAnswer]


class LLMChecklist(_Strict):
    """Every check of a rubric answered, batched per signal in one response."""

    signals: list[LLMSignalChecks]
    injection_detected: bool = False
    summary: str = ""


class LLMFollowUp(_Strict):
    """One follow-up question aimed at the weakest signal."""

    question: str
    targets_signal: str
    quote: str = Field(description="The words of the answer that prompted the follow-up.")


class LLMProbe(_Strict):
    """The answer to `staffsim doctor`'s one timing request."""

    ok: bool
    note: str


register_schema("LLMGrade", LLMGrade)
register_schema("LLMProbe", LLMProbe)
register_schema("LLMFollowUp", LLMFollowUp)
register_schema("LLMChecklist", LLMChecklist)
