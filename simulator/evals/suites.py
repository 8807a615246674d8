"""Eval suites as data: `evals/suites/*.yaml` -> validated `Suite`s that expand into `Case`s.

A suite names its source (a labeled set, the injection set, the retrieval queries, inline
scripted interviews, or `../shared/realworld` documents degraded at run time), which cases
to take, and the thresholds its metrics must meet. Relative paths are read from the suite
file's folder.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from simulator.config import EVALS_DIR, ROOT
from simulator.errors import UserError, first_error

SUITES_DIR = EVALS_DIR / "suites"
#: Where `../shared/realworld` resolves when a degradation suite does not say.
REALWORLD_DIR = ROOT.parent / "shared" / "realworld"


class SuiteError(UserError):
    """A suite file is missing or malformed; the message names the file."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Bound(_Strict):
    """What a metric must be: at least `min`, at most `max`, or both."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _some(self) -> Bound:
        if self.min is None and self.max is None:
            raise ValueError("a threshold gives min, max or both")
        return self

    def check(self, value: float | None) -> bool:
        """True when `value` meets the bound (a missing value never does)."""
        if value is None:
            return False
        if self.min is not None and value < self.min:
            return False
        return self.max is None or value <= self.max

    def describe(self) -> str:
        """E.g. `>= 0.75` or `<= 0`."""
        parts = []
        if self.min is not None:
            parts.append(f">= {self.min:g}")
        if self.max is not None:
            parts.append(f"<= {self.max:g}")
        return " and ".join(parts)


class Case(_Strict):
    """One thing to evaluate: a target, its inputs, the outcome expected, and tags."""

    id: str
    target: str = Field(description="`critique KIND`, `grade PANEL`, `interview PANEL`, `retrieve`")
    inputs: dict[str, Any] = Field(default_factory=dict)
    expected: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)


def default_question(target: str, question: str | None) -> str | None:
    """The case's question; for a `grade PANEL` case without one, the panel's first question."""
    if question or not target.startswith("grade "):
        return question
    from simulator.knowledge.rubrics import get_panel

    return get_panel(target.split(" ", 1)[1]).questions[0]


class _SuiteBase(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    thresholds: dict[str, Bound] = Field(default_factory=dict)
    #: Goals reported beside the gate but not enforced (e.g. an issue's target not yet met).
    targets: dict[str, Bound] = Field(default_factory=dict)
    #: Only these case ids (all when empty), then at most `limit` of them.
    ids: list[str] = Field(default_factory=list)
    limit: int | None = Field(default=None, ge=1)
    path: Path | None = Field(default=None, exclude=True)

    def resolve(self, relative: str | Path) -> Path:
        """A path from the suite file's folder."""
        base = self.path.parent if self.path else SUITES_DIR
        return (base / relative).resolve()

    def _select(self, cases: list[Case]) -> list[Case]:
        if self.ids:
            wanted = set(self.ids)
            cases = [c for c in cases if c.id in wanted]
            missing = wanted - {c.id for c in cases}
            if missing:
                raise SuiteError(f"Suite {self.id!r}: no cases {sorted(missing)}.")
        return cases[: self.limit] if self.limit else cases


class LabeledSuite(_SuiteBase):
    """The graders against an anchored labeled set (one split)."""

    type: Literal["labeled"]
    source: str
    target: str = Field(pattern=r"^(critique [a-z_]+|grade [a-z-]+)$")
    split: Literal["calibration", "test", "all"] = "test"
    #: The team's cases, the content-controlled ones (`controlled/<name>.yaml` beside the
    #: source, where length, headings and figures do not predict the level), or both.
    part: Literal["team", "controlled", "all"] = "all"

    def cases(self) -> list[Case]:
        path = self.resolve(self.source)
        parts = [("team", path), ("controlled", path.parent / "controlled" / path.name)]
        out = []
        for part, part_path in parts:
            if self.part not in ("all", part) or not part_path.is_file():
                continue
            out += [
                Case(
                    id=c.id,
                    target=self.target,
                    inputs={"text": c.text, "question": default_question(self.target, c.question)},
                    expected={"level": c.level, "words": c.words, "part": part},
                    tags=[*self.tags, *c.style, part],
                )
                for c in _labeled_set(part_path).cases
                if self.split == "all" or c.split == self.split
            ]
        return self._select(out)


class InjectionSuite(_SuiteBase):
    """Invariance: a weak case with an injection payload never scores above the case itself."""

    type: Literal["injection"]
    source: str = "../labeled/injection.yaml"

    def cases(self) -> list[Case]:
        from simulator.evals.labeled import base_case, load_injections

        path = self.resolve(self.source)
        root = path.parent.parent  # <root>/labeled/injection.yaml
        out = []
        for inj in load_injections(root):
            _, base = base_case(inj, root)
            out.append(
                Case(
                    id=inj.id,
                    target=inj.target,
                    inputs={
                        "text": inj.apply(base.text),
                        "base_text": base.text,
                        "question": default_question(inj.target, base.question),
                        "base_id": base.id,
                    },
                    expected={"max_level": base.level, "base_level": base.level},
                    tags=[*self.tags, inj.style, inj.position],
                )
            )
        return self._select(out)


class AbsenceSuite(_SuiteBase):
    """Texts plainly missing named signals: those signals score low, and no signal scores 3+
    without a passed check quoting the text."""

    type: Literal["absence"]
    source: str = "../labeled/absence.yaml"

    def cases(self) -> list[Case]:
        from simulator.evals.labeled import load_absence

        path = self.resolve(self.source)
        out = [
            Case(
                id=c.id,
                target=c.target,
                inputs={"text": c.text, "question": default_question(c.target, c.question)},
                expected={"absent": list(c.absent)},
                tags=list(self.tags),
            )
            for c in load_absence(path.parent.parent, path.name)
        ]
        return self._select(out)


class FlagsSuite(_SuiteBase):
    """Precision of the injection detector: ordinary texts (the benign look-alikes and, when
    present, every `../shared/realworld` document) are never flagged."""

    type: Literal["flags"]
    source: str = "../labeled/benign.yaml"
    realworld: bool = True

    def cases(self) -> list[Case]:
        from simulator.evals.labeled import load_benign

        root = self.resolve(self.source).parent.parent
        out = [
            Case(
                id=c.id,
                target=c.target,
                inputs={"text": c.text, "question": default_question(c.target, c.question)},
                tags=[*self.tags, c.shape],
            )
            for c in load_benign(root)
        ]
        if self.realworld and REALWORLD_DIR.is_dir():
            for path in sorted(REALWORLD_DIR.glob("*/*.md")):
                out.append(
                    Case(
                        id=f"realworld/{path.parent.name}/{path.stem}",
                        target="inject",
                        inputs={"text": path.read_text(encoding="utf-8", errors="replace")},
                        tags=[*self.tags, "realworld"],
                    )
                )
        return self._select(out)


class OfftopicSuite(_SuiteBase):
    """Strong labeled answers graded against another bank question of the same panel score
    at most 2; graded against their own question, they are not called off-topic."""

    type: Literal["offtopic"]
    #: Labeled sets whose strong answers (level >= `min_level`) are paired.
    sets: list[Literal["design", "star"]] = Field(default_factory=lambda: ["design", "star"])
    min_level: int = Field(default=4, ge=1, le=5)
    #: Other questions per answer (taken in bank order after the answer's own).
    per_answer: int = Field(default=2, ge=1)
    #: Also grade every real design answer of `../shared/realworld` against its own title:
    #: none may be called off-topic.
    realworld: bool = True

    def cases(self) -> list[Case]:
        from simulator.evals.labeled import load_labeled
        from simulator.grading.detectors.mechanism import problem_for
        from simulator.knowledge.rubrics import get_panel

        out = []
        for name in self.sets:
            panel = "system-design" if name == "design" else "behavioral"
            bank = get_panel(panel).questions
            for case in load_labeled(name).cases:
                if case.level < self.min_level or not case.question:
                    continue
                own = problem_for(case.question) if name == "design" else None
                others = [
                    q
                    for q in bank
                    if q.strip() != case.question.strip()
                    and (name != "design" or own is None or problem_for(q) != own)
                ]
                start = bank.index(case.question) + 1 if case.question in bank else 0
                others = (others[start:] + others[:start])[: self.per_answer]
                target = f"grade {panel}"
                out.append(
                    Case(
                        id=f"{case.id}/own",
                        target=target,
                        inputs={"text": case.text, "question": case.question},
                        expected={"pair": "own", "level": case.level},
                        tags=[*self.tags, name, "own"],
                    )
                )
                out += [
                    Case(
                        id=f"{case.id}/other-{i + 1}",
                        target=target,
                        inputs={"text": case.text, "question": q},
                        expected={"pair": "other", "max_level": 2, "answered": case.question},
                        tags=[*self.tags, name, "other"],
                    )
                    for i, q in enumerate(others)
                ]
        if self.realworld and (REALWORLD_DIR / "design").is_dir():
            from simulator.evals.degrade import title

            for path in sorted((REALWORLD_DIR / "design").glob("*.md")):
                text = path.read_text(encoding="utf-8", errors="replace")
                out.append(
                    Case(
                        id=f"realworld/{path.stem}/own",
                        target="grade system-design",
                        inputs={"text": text, "question": title(text)},
                        expected={"pair": "own"},
                        tags=[*self.tags, "realworld", "own"],
                    )
                )
        return self._select(out)


class RetrievalSuite(_SuiteBase):
    """Hybrid (and single-ranker) retrieval of compendium sections for user questions."""

    type: Literal["retrieval"]
    source: str = "retrieval_queries.yaml"
    modes: list[Literal["hybrid", "bm25", "dense"]] = Field(default_factory=lambda: ["hybrid"])
    ks: list[int] = Field(default_factory=lambda: [1, 3])
    depth: int = Field(default=10, ge=1)

    def cases(self) -> list[Case]:
        from simulator.evals.labeled import load_retrieval_queries

        path = self.resolve(self.source)
        out = [
            Case(
                id=q.id,
                target="retrieve",
                inputs={"query": q.query},
                expected={"sections": list(q.expected)},
                tags=list(self.tags),
            )
            for q in load_retrieval_queries(path.parent.parent)
        ]
        return self._select(out)


class ScriptedInterview(_Strict):
    id: str
    panel: str
    question: str | None = None
    answers: list[str] = Field(min_length=1)
    expect_signal: str = Field(description="The signal the first follow-up must target.")
    tags: list[str] = Field(default_factory=list)


class InterviewSuite(_SuiteBase):
    """Scripted interviews: the follow-up after the answers targets the missing signal."""

    type: Literal["interview"]
    interviews: list[ScriptedInterview] = Field(min_length=1)

    def cases(self) -> list[Case]:
        out = [
            Case(
                id=s.id,
                target=f"interview {s.panel}",
                inputs={"question": s.question, "answers": s.answers},
                expected={"signal": s.expect_signal},
                tags=[*self.tags, *s.tags],
            )
            for s in self.interviews
        ]
        return self._select(out)


class DegradeGroup(_Strict):
    """Documents of one realworld folder, and the headings whose sections are removed."""

    folder: str
    target: str = Field(pattern=r"^(critique [a-z_]+|grade [a-z-]+)$")
    remove: list[str] = Field(min_length=1, description="Regexes matched against heading titles.")
    #: At most this many documents (in file-name order), to bound the run time.
    max_docs: int | None = Field(default=None, ge=1)


class DegradationSuite(_SuiteBase):
    """Ordering: a real document outscores itself with key sections removed."""

    type: Literal["degradation"]
    source: str | None = None
    measure: Literal["signals", "strength", "score"] = "signals"
    groups: list[DegradeGroup] = Field(min_length=1)

    def root(self) -> Path:
        """The realworld folder (the suite's `source`, else `../shared/realworld`)."""
        return self.resolve(self.source) if self.source else REALWORLD_DIR

    def cases(self) -> list[Case]:
        from simulator.evals.degrade import degrade, title

        root = self.root()
        if not root.is_dir():
            return []
        out = []
        for group in self.groups:
            for path in sorted((root / group.folder).glob("*.md"))[: group.max_docs]:
                text = path.read_text(encoding="utf-8")
                degraded, removed = degrade(text, group.remove)
                if not removed:
                    continue
                out.append(
                    Case(
                        id=f"{group.folder}/{path.stem}",
                        target=group.target,
                        inputs={"text": text, "degraded": degraded, "question": title(text)},
                        expected={"lower": True, "removed": removed},
                        tags=[*self.tags, group.folder],
                    )
                )
        return self._select(out)


Suite = Annotated[
    LabeledSuite
    | InjectionSuite
    | AbsenceSuite
    | FlagsSuite
    | OfftopicSuite
    | RetrievalSuite
    | InterviewSuite
    | DegradationSuite,
    Field(discriminator="type"),
]
_ADAPTER: TypeAdapter[Suite] = TypeAdapter(Suite)


def _read_yaml(path: Path) -> Any:
    if not path.is_file():
        raise SuiteError(f"{path}: file not found.")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SuiteError(f"{path}: not valid YAML ({exc}).") from exc


def load_suite(path: Path) -> Suite:
    """One suite file, validated."""
    path = Path(path).resolve()
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise SuiteError(f"{path}: a suite file is a mapping with `type`.")
    try:
        suite = _ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise SuiteError(first_error(path, exc)) from exc
    suite.path = path
    return suite


def suite_files(root: Path = SUITES_DIR) -> list[Path]:
    """The suite files of a folder (data files such as the retrieval queries are not suites)."""
    out = []
    for path in sorted(root.glob("*.yaml")):
        data = _read_yaml(path)
        if isinstance(data, dict) and "type" in data:
            out.append(path)
    return out


def find_suites(names: list[str] | tuple[str, ...] = (), root: Path = SUITES_DIR) -> list[Suite]:
    """Suites by id or file path; every suite of `root` when `names` is empty."""
    if not names:
        return [load_suite(p) for p in suite_files(root)]
    by_id = {s.id: s for s in (load_suite(p) for p in suite_files(root))}
    out = []
    for name in names:
        path = Path(name)
        if path.suffix in (".yaml", ".yml") and path.is_file():
            out.append(load_suite(path))
        elif name in by_id:
            out.append(by_id[name])
        else:
            known = ", ".join(sorted(by_id)) or "none"
            raise SuiteError(f"No suite {name!r}; give a suite file or one of: {known}.")
    return out


@lru_cache(maxsize=16)
def _labeled_set(path: Path):
    from simulator.evals.labeled import LabeledDataError, LabeledSet

    data = _read_yaml(path)
    try:
        return LabeledSet.model_validate(data)
    except ValidationError as exc:
        raise LabeledDataError(first_error(path, exc)) from exc
