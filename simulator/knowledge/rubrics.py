"""Panel and artifact rubric files -> validated `PanelRubric` / `ArtifactRubric` models."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from simulator.config import CORPUS_DIR
from simulator.datafiles import read_model
from simulator.errors import UserError

#: Offline detectors a signal may name; each is a module in simulator/grading/detectors/.
DETECTORS = (
    "quantification",
    "star_structure",
    "ownership",
    "tradeoffs",
    "failure_modes",
    "metrics",
    "owners_dates",
    "timeline",
    "blameless",
    "reflection",
    "causal_chain",
    "detection",
)

#: The 20 artifact kinds, in compendium order (section 1 is `adr`, ... 20 is `decision_economics`).
KIND_IDS = (
    "adr",
    "capacity",
    "slo",
    "migration",
    "threat",
    "perf_case",
    "distributed",
    "postmortem",
    "influence",
    "star",
    "roadmap",
    "design_review",
    "readiness",
    "dr",
    "leveling",
    "observability",
    "ai_patterns",
    "compliance",
    "interview_matrix",
    "decision_economics",
)

PANEL_IDS = (
    "coding",
    "system-design",
    "architecture-deep-dive",
    "behavioral",
    "leadership",
    "cross-functional",
    "bar-raiser",
)

#: The kinds of concrete detail a check may ask of the sentence that passes it
#: (each is a test in `simulator/grading/specifics.py`).
SPECIFICS = (
    "quantity",
    "change",
    "threshold",
    "owner",
    "date",
    "causal",
    "contrast",
    "first_person",
    "condition",
    "window",
    "time",
    "directive",
    "sizing",
    "person",
)
#: Named phrase groups a check's `terms` may use as `@name` (corpus/check_terms.yaml).
CHECK_TERMS_PATH = CORPUS_DIR / "check_terms.yaml"

Level = Literal["senior", "staff", "principal"]


class RubricError(UserError):
    """A rubric file is not shaped as expected; the message names the file."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@lru_cache(maxsize=1)
def check_terms() -> dict[str, tuple[str, ...]]:
    """The shared phrase groups of `corpus/check_terms.yaml`, by name."""
    import yaml

    if not CHECK_TERMS_PATH.exists():
        return {}
    data = yaml.safe_load(CHECK_TERMS_PATH.read_text(encoding="utf-8")) or {}
    for name, phrases in data.items():
        odd = [p for p in phrases if not isinstance(p, str)]
        if odd:  # YAML reads an unquoted 1:1 as 61 and ~ as null
            raise RubricError(f"{CHECK_TERMS_PATH}: {name}: quote the phrases {odd!r}")
    return {name: tuple(phrases) for name, phrases in data.items()}


def _expand(group: object) -> object:
    """A phrase group with its `@name` entries replaced by the shared groups they name."""
    if not isinstance(group, list):
        return group
    out: list[str] = []
    for phrase in group:
        if isinstance(phrase, str) and phrase.startswith("@"):
            named = check_terms().get(phrase[1:])
            if named is None:
                raise ValueError(f"unknown phrase group {phrase!r} (corpus/check_terms.yaml)")
            out.extend(named)
        else:
            out.append(phrase)
    return out


class Check(_Strict):
    """A yes/no question about the text that one sentence, list item or table row answers.

    Offline, the check passes on the first sentence that contains a phrase of every group
    in `terms` and every kind of detail in `needs` (and one of `needs_any`), and none of
    `none`. `example` must pass it and `generic` (the vague version) must not: the tests
    hold every check to both.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    question: str = Field(min_length=8)
    counts: str = Field(min_length=8)
    not_counts: str = Field(min_length=4)
    weight: float = Field(default=1.0, gt=0, le=3)
    terms: list[list[str]] = Field(min_length=1)
    needs: list[str] = Field(default_factory=list)
    needs_any: list[str] = Field(default_factory=list)
    none: list[str] = Field(default_factory=list)
    #: Only the first `within` sentences of the text count (a summary opens the text; a
    #: STAR story's situation comes first).
    within: int | None = Field(default=None, ge=1)
    #: Headings whose sections cannot pass the check (a context check does not pass under
    #: "Alternatives" or "Reconsider if"; a summary check not under "Timeline").
    not_under: list[str] = Field(default_factory=list)
    example: str = Field(min_length=8)
    generic: str = Field(min_length=4)

    @field_validator("terms", mode="before")
    @classmethod
    def _expand_terms(cls, value: object) -> object:
        return [_expand(g) for g in value] if isinstance(value, list) else value

    @field_validator("none", "not_under", mode="before")
    @classmethod
    def _expand_none(cls, value: object) -> object:
        return _expand(value)

    @model_validator(mode="after")
    def _known_specifics(self) -> Check:
        unknown = sorted(set(self.needs + self.needs_any) - set(SPECIFICS))
        if unknown:
            raise ValueError(f"check {self.id!r} needs unknown kinds {unknown}")
        if any(not g for g in self.terms):
            raise ValueError(f"check {self.id!r} has an empty phrase group")
        return self


class Signal(_Strict):
    """One thing a grader looks for, scored 0-4 from its checks."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    weight: float = Field(gt=0, le=5)
    description: str
    strong: str
    weak: str
    sections: list[str] = Field(min_length=1)
    cues: list[str] = Field(default_factory=list)
    detectors: list[str] = Field(default_factory=list)
    fields: list[str] = Field(default_factory=list)
    follow_ups: list[str] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list, max_length=6)

    @model_validator(mode="after")
    def _known_detectors(self) -> Signal:
        unknown = sorted(set(self.detectors) - set(DETECTORS))
        if unknown:
            raise ValueError(f"signal {self.id!r} names unknown detectors {unknown}")
        ids = [c.id for c in self.checks]
        if len(set(ids)) != len(ids):
            raise ValueError(f"signal {self.id!r} has duplicate check ids")
        return self


class Pitfall(_Strict):
    """A compendium pitfall: found when its signal scores at or below `at_most`, or, when it
    has a `check`, when a sentence passes that check (the sentence is quoted). A found
    pitfall with a `cap` caps the level (a blameful postmortem is at most 2)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: str
    signal: str
    at_most: int = Field(default=1, ge=0, le=3)
    check: Check | None = None
    cap: int | None = Field(default=None, ge=1, le=4)


class Cap(_Strict):
    """An anchored cap: the level is at most `level` unless one of the `unless` checks
    (`signal.check` ids) passed ("no personal action caps a STAR story at 2")."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: str
    level: int = Field(ge=1, le=4)
    unless: list[str] = Field(min_length=1)


class _Rubric(_Strict):
    id: str
    version: int = Field(ge=1)
    name: str
    draws_on: list[str] = Field(min_length=1)
    signals: list[Signal] = Field(min_length=3)
    pitfalls: list[Pitfall] = Field(default_factory=list)
    caps: list[Cap] = Field(default_factory=list)
    #: Whether a paragraph's inline label ("Failure modes: ...") names the part of the text
    #: it stands in; off where labels name fields of an item ("Duration:", "Owner:").
    inline_labels: bool = True

    @model_validator(mode="after")
    def _check_refs(self) -> _Rubric:
        ids = [s.id for s in self.signals]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate signal ids {dupes}")
        checks = {f"{s.id}.{c.id}" for s in self.signals for c in s.checks}
        for cap in self.caps:
            unknown = sorted(set(cap.unless) - checks)
            if unknown:
                raise ValueError(f"cap {cap.id!r} names unknown checks {unknown}")
        for pitfall in self.pitfalls:
            if pitfall.signal not in ids:
                raise ValueError(f"pitfall {pitfall.id!r} names unknown signal {pitfall.signal!r}")
        refs = set(self.draws_on)
        for signal in self.signals:
            refs.update(signal.sections)
        unknown = sorted(refs - set(KIND_IDS))
        if unknown:
            raise ValueError(f"references unknown compendium sections {unknown}")
        return self

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def signal(self, signal_id: str) -> Signal:
        return next(s for s in self.signals if s.id == signal_id)


class PanelRubric(_Rubric):
    """One interview panel of the simulation matrix."""

    goal: str
    signals: list[Signal] = Field(min_length=5)
    questions: list[str] = Field(min_length=10)
    failure_modes: list[str] = Field(min_length=3)
    levels: dict[Level, str]

    @model_validator(mode="after")
    def _panel_checks(self) -> PanelRubric:
        if self.id not in PANEL_IDS:
            raise ValueError(f"unknown panel id {self.id!r}; expected one of {PANEL_IDS}")
        if set(self.levels) != {"senior", "staff", "principal"}:
            raise ValueError("levels must give senior, staff and principal expectations")
        for signal in self.signals:
            if len(signal.follow_ups) < 2:
                raise ValueError(f"signal {signal.id!r} needs at least 2 follow_ups")
        return self


class ArtifactRubric(_Rubric):
    """The critique rubric of one compendium artifact kind."""

    purpose: str
    markers: list[str] = Field(min_length=3)
    pitfalls: list[Pitfall] = Field(min_length=1)

    @model_validator(mode="after")
    def _artifact_checks(self) -> ArtifactRubric:
        if self.id not in KIND_IDS:
            raise ValueError(f"unknown artifact kind {self.id!r}")
        return self


def _load(path: Path, model: type[_Rubric]) -> _Rubric:
    rubric = read_model(path, model, RubricError)
    if rubric.id.replace("-", "_") != path.stem.replace("-", "_"):
        raise RubricError(f"{path}: id {rubric.id!r} does not match the file name")
    return rubric


@lru_cache(maxsize=4)
def load_panels(root: Path = CORPUS_DIR / "rubrics" / "panels") -> dict[str, PanelRubric]:
    """Every panel rubric, keyed by id, in matrix order."""
    panels = {p.stem: _load(p, PanelRubric) for p in sorted(root.glob("*.yaml"))}
    missing = [pid for pid in PANEL_IDS if pid not in panels]
    if missing:
        raise RubricError(f"{root}: missing panel rubrics {missing}")
    return {pid: panels[pid] for pid in PANEL_IDS}  # type: ignore[misc]


@lru_cache(maxsize=4)
def load_artifact_rubrics(
    root: Path = CORPUS_DIR / "rubrics" / "artifacts",
) -> dict[str, ArtifactRubric]:
    """Every artifact rubric, keyed by kind id, in compendium order."""
    rubrics = {p.stem: _load(p, ArtifactRubric) for p in sorted(root.glob("*.yaml"))}
    missing = [k for k in KIND_IDS if k not in rubrics]
    if missing:
        raise RubricError(f"{root}: missing artifact rubrics {missing}")
    return {k: rubrics[k] for k in KIND_IDS}  # type: ignore[misc]


def get_panel(panel_id: str) -> PanelRubric:
    panels = load_panels()
    if panel_id not in panels:
        raise RubricError(f"Unknown panel {panel_id!r}; choose one of: {', '.join(panels)}.")
    return panels[panel_id]


def get_artifact_rubric(kind: str) -> ArtifactRubric:
    rubrics = load_artifact_rubrics()
    if kind not in rubrics:
        raise RubricError(f"Unknown artifact kind {kind!r}; choose one of: {', '.join(rubrics)}.")
    return rubrics[kind]
