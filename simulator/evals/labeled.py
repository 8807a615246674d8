"""Labeled data sets that measure the graders: anchored cases, injection attempts, retrieval queries."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from simulator.config import EVALS_DIR
from simulator.datafiles import read_model
from simulator.errors import UserError
from simulator.knowledge.rubrics import KIND_IDS, PANEL_IDS

#: The anchored labeled sets, each a file `evals/labeled/<name>.yaml`.
LABELED_SETS = ("star", "design", "adr", "postmortem")

#: What each level 1-5 is called on each scale (see evals/labeled/ANCHORS.md).
LEVEL_NAMES: dict[str, dict[int, str]] = {
    "artifact": {1: "not acceptable", 2: "weak", 3: "adequate", 4: "strong", 5: "exemplary"},
    "interview": {
        1: "Strong No Hire",
        2: "No Hire",
        3: "Lean Hire",
        4: "Hire",
        5: "Strong Hire",
    },
}

Split = Literal["calibration", "test"]
#: Which part of a labeled set a case is from: the team's first sets, or the
#: content-controlled part (`evals/labeled/controlled/`), written so that length,
#: headings and the number of figures do not predict the level.
Part = Literal["team", "controlled"]
#: A heading line: a markdown heading, a bold label, or `Label:` at the start of a line.
HEADING_LINE = re.compile(
    r"^\s{0,3}(#{1,6}\s|\*\*[^*\n]{1,60}\*\*|[A-Z][A-Za-z0-9 /&()'-]{0,40}:(\s|$))"
)
_TARGET = re.compile(r"^(critique (?P<kind>[a-z_]+)|grade (?P<panel>[a-z-]+))$")


class LabeledDataError(UserError):
    """A labeled data file is missing or malformed; the message names the file."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def valid_target(value: str) -> str:
    """`critique <kind>` or `grade <panel>`, with a known kind or panel."""
    match = _TARGET.match(value)
    if not match:
        raise ValueError("target is 'critique <kind>' or 'grade <panel>'")
    if match["kind"] and match["kind"] not in KIND_IDS:
        raise ValueError(f"unknown kind in target {value!r}")
    if match["panel"] and match["panel"] not in PANEL_IDS:
        raise ValueError(f"unknown panel in target {value!r}")
    return value


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


class LabeledCase(_Strict):
    """One answer or artifact with the level a careful human grader gives it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    level: int = Field(ge=1, le=5)
    split: Split
    style: list[str] = Field(min_length=1)
    notes: str = Field(min_length=1)
    text: str = Field(min_length=1)
    question: str | None = None
    part: Part = "team"

    _style_list = field_validator("style", mode="before")(_as_list)

    @property
    def words(self) -> int:
        """Word count of the text."""
        return len(self.text.split())

    @property
    def digits(self) -> int:
        """Number of digit characters in the text."""
        return sum(ch.isdigit() for ch in self.text)

    @property
    def headings(self) -> int:
        """Number of heading lines (markdown headings, bold labels, `Label:` lines)."""
        return sum(1 for line in self.text.splitlines() if HEADING_LINE.match(line))


class LabeledSet(_Strict):
    """A labeled set: what is graded (artifact kind and/or panel), its scale and its cases."""

    kind: str | None = None
    panel: str | None = None
    scale: Literal["artifact", "interview"]
    description: str
    cases: list[LabeledCase] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> LabeledSet:
        if self.kind is None and self.panel is None:
            raise ValueError("a labeled set names a kind, a panel, or both")
        if self.kind is not None and self.kind not in KIND_IDS:
            raise ValueError(f"unknown kind {self.kind!r}")
        if self.panel is not None and self.panel not in PANEL_IDS:
            raise ValueError(f"unknown panel {self.panel!r}")
        ids = [c.id for c in self.cases]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate case ids {dupes}")
        for split in ("calibration", "test"):
            missing = sorted({1, 2, 3, 4, 5} - {c.level for c in self.cases if c.split == split})
            if missing:
                raise ValueError(f"split {split!r} lacks levels {missing}")
        if self.kind is None:
            unasked = [c.id for c in self.cases if not c.question]
            if unasked:
                raise ValueError(f"panel answers need a question: {unasked}")
        return self

    @property
    def targets(self) -> set[str]:
        """The grader calls this set measures, e.g. `critique adr` or `grade system-design`."""
        out = set()
        if self.kind:
            out.add(f"critique {self.kind}")
        if self.panel:
            out.add(f"grade {self.panel}")
        return out

    def split(self, name: Split, part: Part | None = None) -> list[LabeledCase]:
        """The cases of one split (of one part, when given)."""
        return [c for c in self.cases if c.split == name and (part is None or c.part == part)]

    def level_name(self, level: int) -> str:
        """What a level is called on this set's scale."""
        return LEVEL_NAMES[self.scale][level]

    def case(self, case_id: str) -> LabeledCase:
        """The case with this id."""
        for c in self.cases:
            if c.id == case_id:
                return c
        raise LabeledDataError(f"No case {case_id!r} in the {self.kind or self.panel} set.")


class InjectionCase(_Strict):
    """A weak labeled case with a prompt-injection payload added; a grader must not raise it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    target: str
    base_id: str
    payload: str = Field(min_length=1)
    position: Literal["start", "middle", "end"]
    style: str = Field(min_length=1)
    notes: str = ""

    _target = field_validator("target")(lambda value: valid_target(value))

    def apply(self, base_text: str) -> str:
        """The base text with the payload placed at `position` (middle: a paragraph break)."""
        base = base_text.rstrip("\n")
        if self.position == "start":
            return f"{self.payload.rstrip()}\n\n{base}\n"
        if self.position == "end":
            return f"{base}\n\n{self.payload.rstrip()}\n"
        lines = base.split("\n")
        half = len(lines) // 2
        # Prefer a paragraph break near the middle so no sentence is cut in two.
        blanks = [i for i, line in enumerate(lines) if not line.strip() and 0 < i < len(lines) - 1]
        if blanks:
            cut = min(blanks, key=lambda i: abs(i - half))
            head, tail = lines[:cut], lines[cut + 1 :]
        else:
            cut = max(1, half)
            head, tail = lines[:cut], lines[cut:]
        return "\n".join([*head, "", self.payload.rstrip(), "", *tail]) + "\n"


class RetrievalQuery(_Strict):
    """A question a candidate would type, and the compendium sections that should answer it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    query: str = Field(min_length=8)
    expected: list[str] = Field(min_length=1, max_length=2)

    @field_validator("expected")
    @classmethod
    def _kinds(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(KIND_IDS))
        if unknown:
            raise ValueError(f"unknown compendium kinds {unknown}")
        return value


class _InjectionFile(_Strict):
    kind: Literal["injection"]
    description: str
    cases: list[InjectionCase] = Field(min_length=1)


class _RetrievalFile(_Strict):
    kind: Literal["retrieval"]
    description: str
    queries: list[RetrievalQuery] = Field(min_length=1)


def _read(path: Path, model: type[_Strict]) -> _Strict:
    if not path.is_file():
        raise LabeledDataError(f"{path}: file not found; restore it from the repository.")
    return read_model(path, model, LabeledDataError)


def _unique(ids: list[str], path: Path) -> None:
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise LabeledDataError(f"{path}: duplicate ids {dupes}")


@lru_cache(maxsize=8)
def load_labeled(name: str, root: Path = EVALS_DIR) -> LabeledSet:
    """One anchored labeled set (`star`, `design`, `adr` or `postmortem`)."""
    if name not in LABELED_SETS:
        raise LabeledDataError(
            f"Unknown labeled set {name!r}; choose one of: {', '.join(LABELED_SETS)}."
        )
    team = _read(root / "labeled" / f"{name}.yaml", LabeledSet)
    controlled_path = root / "labeled" / "controlled" / f"{name}.yaml"
    if not controlled_path.is_file():
        return team  # type: ignore[return-value]
    controlled = _read(controlled_path, LabeledSet)
    cases = [*team.cases, *(c.model_copy(update={"part": "controlled"}) for c in controlled.cases)]  # type: ignore[attr-defined]
    _unique([c.id for c in cases], controlled_path)
    return team.model_copy(update={"cases": cases})  # type: ignore[return-value]


class _TargetedText(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    target: str
    question: str | None = None
    notes: str = ""
    text: str = Field(min_length=1)

    _target = field_validator("target")(lambda value: valid_target(value))


class AbsenceCase(_TargetedText):
    """A text plainly missing the named signals (`absent`): a grader scores them low."""

    absent: list[str] = Field(min_length=1)


class BenignCase(_TargetedText):
    """Ordinary text shaped like an injection (template comments, logs, dialogue): never flagged."""

    shape: str


class _AbsenceFile(_Strict):
    description: str
    cases: list[AbsenceCase] = Field(min_length=1)


class _BenignFile(_Strict):
    description: str
    cases: list[BenignCase] = Field(min_length=1)


@lru_cache(maxsize=4)
def load_absence(root: Path = EVALS_DIR, name: str = "absence.yaml") -> list[AbsenceCase]:
    """A signal-absence set, each absent signal checked against its target's rubric."""
    from simulator.knowledge.rubrics import get_artifact_rubric, get_panel

    path = root / "labeled" / name
    cases = _read(path, _AbsenceFile).cases  # type: ignore[attr-defined]
    _unique([c.id for c in cases], path)
    for case in cases:
        verb, _, what = case.target.partition(" ")
        rubric = get_panel(what) if verb == "grade" else get_artifact_rubric(what)
        unknown = sorted(set(case.absent) - {s.id for s in rubric.signals})
        if unknown:
            raise LabeledDataError(
                f"{path}: {case.id}: unknown signals {unknown} for {case.target}"
            )
    return cases


@lru_cache(maxsize=2)
def load_benign(root: Path = EVALS_DIR) -> list[BenignCase]:
    """Ordinary texts that look like injections but are not."""
    path = root / "labeled" / "benign.yaml"
    cases = _read(path, _BenignFile).cases  # type: ignore[attr-defined]
    _unique([c.id for c in cases], path)
    return cases


@lru_cache(maxsize=2)
def load_injections(root: Path = EVALS_DIR) -> list[InjectionCase]:
    """The injection cases, each checked against the weak labeled case it extends."""
    path = root / "labeled" / "injection.yaml"
    cases = _read(path, _InjectionFile).cases  # type: ignore[attr-defined]
    _unique([c.id for c in cases], path)
    owners = {c.id: s for s in (load_labeled(n, root) for n in LABELED_SETS) for c in s.cases}
    for case in cases:
        owner = owners.get(case.base_id)
        if owner is None:
            raise LabeledDataError(
                f"{path}: {case.id}: base_id {case.base_id!r} is not a labeled case"
            )
        if case.target not in owner.targets:
            raise LabeledDataError(
                f"{path}: {case.id}: target {case.target!r} does not fit its base set {sorted(owner.targets)}"
            )
        if owner.case(case.base_id).level > 3:
            raise LabeledDataError(f"{path}: {case.id}: base case must be weak (level 1-3)")
    return cases


def base_case(injection: InjectionCase, root: Path = EVALS_DIR) -> tuple[LabeledSet, LabeledCase]:
    """The labeled set and case an injection extends."""
    for name in LABELED_SETS:
        labeled = load_labeled(name, root)
        for case in labeled.cases:
            if case.id == injection.base_id:
                return labeled, case
    raise LabeledDataError(f"No labeled case {injection.base_id!r}.")


@lru_cache(maxsize=2)
def load_retrieval_queries(root: Path = EVALS_DIR) -> list[RetrievalQuery]:
    """The retrieval query set: query -> expected compendium kind ids."""
    path = root / "suites" / "retrieval_queries.yaml"
    queries = _read(path, _RetrievalFile).queries  # type: ignore[attr-defined]
    _unique([q.id for q in queries], path)
    return queries


def surface_correlation(
    labeled: LabeledSet | list[LabeledCase], feature: Literal["words", "digits", "headings"]
) -> float:
    """Spearman correlation between a surface feature of the text and the level."""
    from scipy.stats import spearmanr

    cases = labeled.cases if isinstance(labeled, LabeledSet) else labeled
    values = [getattr(c, feature) for c in cases]
    levels = [c.level for c in cases]
    if len(set(values)) < 2:
        return 0.0
    return float(spearmanr(values, levels).statistic)
