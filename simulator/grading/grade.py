"""The `Grade`: what every grader returns, whichever engine produced it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

INTERVIEW_LEVELS = {1: "Strong No Hire", 2: "No Hire", 3: "Lean Hire", 4: "Hire", 5: "Strong Hire"}
ARTIFACT_LEVELS = {1: "Not acceptable", 2: "Weak", 3: "Adequate", 4: "Strong", 5: "Exemplary"}


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(_Out):
    """A verbatim span of the candidate's text: `text == answer[start:end]`."""

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class CheckResult(_Out):
    """One check of a signal answered: `evidence` is the one sentence that passed it."""

    id: str
    question: str
    passed: bool
    evidence: Evidence | None = None
    why: str = ""
    #: A sentence that names the check's concept but lacks its detail (not passed only).
    near: Evidence | None = None
    #: The model's probability that the answer is yes, from the endpoint's logprobs (LLM
    #: engine, where the server gives them); before the quote is verified.
    p_yes: float | None = Field(default=None, ge=0.0, le=1.0)


class _Scored(_Out):
    """Something scored 0-4, with verbatim evidence from the answer and feedback."""

    id: str
    name: str
    score: int = Field(ge=0, le=4)
    evidence: list[Evidence] = Field(default_factory=list)
    feedback: str = ""


class SignalScore(_Scored):
    """A rubric signal's score from its checks; `weight` is its share of the overall level."""

    weight: float
    checks: list[CheckResult] = Field(default_factory=list)


class HardPartScore(_Scored):
    """A hard part of the design problem asked, and how far the answer solved it."""


class Citation(_Out):
    """A compendium section to study, with the passage that says why."""

    kind: str
    section: str
    citation: str
    source: str = "compendium"


class Grade(_Out):
    """A graded answer or critiqued artifact (the JSON the CLI prints, one per file)."""

    file: str | None = None
    target: Literal["critique", "grade"]
    kind: str
    question: str | None = None
    score: int = Field(ge=1, le=5)
    level: str
    strength: float = Field(default=0.0, description="Continuous 0-1 strength behind the level.")
    signals: list[SignalScore]
    problem: str | None = Field(
        default=None, description="The known design problem the question was matched to."
    )
    hard_parts: list[HardPartScore] = Field(default_factory=list)
    pitfalls: list[str] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list)
    sections: list[Citation] = Field(default_factory=list)
    offtopic: bool = Field(default=False, description="The answer addresses another question.")
    caps: list[str] = Field(
        default_factory=list, description="Anchored caps that bound the level, in words."
    )
    injection: bool = False
    injection_findings: list[Evidence] = Field(default_factory=list)
    engine: str
    model: str | None = None
    prompt: str | None = None
    rubric: str
    fallback: str | None = None
    dropped_quotes: int = 0
    kept_quotes: int = 0
    filled_checks: list[str] = Field(
        default_factory=list,
        description="Checks the model did not answer, answered by the offline engine instead.",
    )
    latency_ms: float = 0.0
    tokens: dict[str, int] = Field(default_factory=dict)


def weakest_first(signals: list[SignalScore]) -> list[SignalScore]:
    """Signals from the lowest score up, heaviest first among ties."""
    return sorted(signals, key=lambda s: (s.score, -s.weight))


def level_name(score: int, target: str) -> str:
    """The anchored name of a 1-5 score."""
    return (INTERVIEW_LEVELS if target == "grade" else ARTIFACT_LEVELS)[score]
