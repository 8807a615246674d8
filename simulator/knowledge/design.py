"""What an interviewer knows about common design problems (`corpus/design_problems.yaml`).

For each problem: the phrases that identify it in a question, the hard parts a strong
answer must solve, and the anti-patterns (mechanisms that cannot work at the stated
scale) that sink an answer. The offline grader's mechanism detector reads it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from simulator.config import CORPUS_DIR
from simulator.datafiles import read_model
from simulator.knowledge.rubrics import KIND_IDS, RubricError

DESIGN_PROBLEMS_PATH = CORPUS_DIR / "design_problems.yaml"
_ID = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HardPart(_Strict):
    """Something a strong answer to the problem must decide, and the words that show it did."""

    id: str = Field(pattern=_ID)
    name: str
    description: str
    cues: tuple[str, ...] = Field(min_length=3)


class AntiPattern(_Strict):
    """A mechanism that cannot work; found when one sentence hits a phrase of every group."""

    id: str = Field(pattern=_ID)
    name: str
    why: str
    when: tuple[tuple[str, ...], ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _groups_not_empty(self) -> AntiPattern:
        if any(not group for group in self.when):
            raise ValueError(f"anti-pattern {self.id!r} has an empty phrase group")
        return self


class DesignProblem(_Strict):
    id: str = Field(pattern=_ID)
    name: str
    match: tuple[str, ...] = Field(min_length=1)
    sections: tuple[str, ...] = ()
    hard_parts: tuple[HardPart, ...] = Field(min_length=2)
    anti_patterns: tuple[AntiPattern, ...] = ()
    #: A problem every design answer touches (scaling a web app): asked, it is graded like
    #: any other; but an answer to another question that also scales is not "off-topic".
    generic: bool = False

    @model_validator(mode="after")
    def _known_sections(self) -> DesignProblem:
        unknown = [s for s in self.sections if s not in KIND_IDS]
        if unknown:
            raise ValueError(f"problem {self.id!r} cites unknown sections {unknown}")
        return self


class DesignKnowledge(_Strict):
    version: int
    generic_anti_patterns: tuple[AntiPattern, ...] = ()
    problems: tuple[DesignProblem, ...]

    @model_validator(mode="after")
    def _unique_ids(self) -> DesignKnowledge:
        ids = [p.id for p in self.problems]
        if len(ids) != len(set(ids)):
            raise ValueError("problem ids must be unique")
        return self

    def problem(self, problem_id: str) -> DesignProblem | None:
        """The problem with id `problem_id`, or None."""
        return next((p for p in self.problems if p.id == problem_id), None)

    def hard_part(self, part_id: str) -> tuple[DesignProblem, HardPart] | None:
        """The problem and hard part with id `part_id`, or None."""
        for problem in self.problems:
            for part in problem.hard_parts:
                if part.id == part_id:
                    return problem, part
        return None


def load_design_knowledge(path: Path = DESIGN_PROBLEMS_PATH) -> DesignKnowledge:
    """Parse and validate the design-problem file; a damaged file names itself."""
    return read_model(path, DesignKnowledge, RubricError)


@lru_cache(maxsize=1)
def design_knowledge() -> DesignKnowledge:
    """The project's design-problem knowledge, loaded once."""
    return load_design_knowledge()
