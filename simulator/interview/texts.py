"""The interviewer's texts and knobs, loaded and validated from `corpus/interview.yaml`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulator.config import CORPUS_DIR
from simulator.errors import UserError, first_error

TEXTS_PATH = CORPUS_DIR / "interview.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TopicRules(_Strict):
    design_prefix: str
    stop_words: list[str]
    fallback: str


class QuoteRules(_Strict):
    min_words: int = Field(ge=3)
    max_words: int = Field(ge=4)
    claim_words: list[str]
    #: A quotable clause holds one of these (a subject or a verb): not a bare number or
    #: a noun phrase cut out of a sentence.
    clause_words: list[str]
    #: Words that name a component or a decision; a clause with one goes first.
    component_words: list[str]


class ArtifactTexts(_Strict):
    panels: list[str]
    max_questions: int = Field(ge=0)
    with_decision: str
    without_decision: str
    decision_words: list[str]
    kind_names: dict[str, str]


class HardCaseTexts(_Strict):
    max_answer_words: int = Field(ge=50)
    max_reasks: int = Field(ge=0)
    empty: str
    dont_know: str
    dont_know_patterns: list[str]
    dont_know_fillers: list[str]
    dont_know_max_words: int
    non_english: str
    min_ascii_share: float
    min_stopword_share: float
    min_words_for_language_check: int
    stopwords: str
    too_long: str
    injection: str


class BarRaiserTexts(_Strict):
    hire_min_score: int = Field(ge=1, le=5)
    blocker_weight: float
    blocker_max: int
    hire: str
    no_hire: str
    strength_reason: str
    gap_reason: str
    overall_reason: str


class ScorecardTexts(_Strict):
    #: Per target level: a signal is a strength when its mean over the questions is this high.
    strength_bar: dict[str, int]
    overall: str
    nothing_answered: str


class OffTopicTexts(_Strict):
    #: The interviewer notices, says what the answer seems to address, offers a retry.
    retry: str
    retry_unnamed: str
    #: A second off-topic answer to the same question is graded as it stands.
    graded: str


class ControlTexts(_Strict):
    skipped: str
    ended: str


class InterviewTexts(_Strict):
    """Everything the interviewer says that is not a rubric question or follow-up."""

    version: int = Field(ge=1)
    intro: str
    question: str
    next_question_lead: list[str] = Field(min_length=1)
    wrap_up: str
    hard_part_follow_ups: list[str] = Field(min_length=1)
    #: Short acknowledgements before a follow-up, never the same twice in a row.
    follow_up_lead: list[str] = Field(min_length=2)
    #: The compendium's high-signal follow-ups, per panel and check id: asked when that check
    #: has not passed on any answer to the question. `{quote}`: a clause of the candidate's
    #: own answer (the near miss when there is one); `{topic}`: the question's subject.
    check_follow_ups: dict[str, dict[str, str]] = Field(default_factory=dict)
    topic: TopicRules
    quote: QuoteRules
    artifacts: ArtifactTexts
    hard_cases: HardCaseTexts
    bar_raiser: BarRaiserTexts
    scorecard: ScorecardTexts
    offtopic: OffTopicTexts
    control: ControlTexts

    @property
    def ref(self) -> str:
        return f"interview-texts@{self.version}"


@lru_cache(maxsize=2)
def load_texts(path: Path = TEXTS_PATH) -> InterviewTexts:
    """The validated interviewer texts; a malformed file is one clear sentence."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return InterviewTexts.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"{path}: cannot read the interviewer texts ({exc}).") from exc
    except ValidationError as exc:
        raise UserError(first_error(path, exc)) from exc
