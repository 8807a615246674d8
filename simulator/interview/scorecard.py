"""The end-of-interview scorecard: per-signal scores with quotes, recommendation, what to study."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from simulator.grading.grade import INTERVIEW_LEVELS
from simulator.interview.texts import load_texts
from simulator.knowledge.rubrics import PanelRubric

_QUOTE_CHARS = 200


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignalResult(_Out):
    """One rubric signal over the whole session."""

    id: str
    name: str
    weight: float
    best: int = Field(ge=0, le=4)
    mean: float
    evidence: list[str] = Field(default_factory=list, description="Verbatim candidate quotes.")


class PartResult(_Out):
    """A hard part of a design question's problem over every answer to that question."""

    id: str
    name: str
    best: int = Field(ge=0, le=4)
    evidence: list[str] = Field(default_factory=list, description="Verbatim candidate quotes.")


class ProblemResult(_Out):
    """How the answers to one design question stood against its problem's hard parts."""

    question_index: int
    problem: str
    parts: list[PartResult]


class StudyItem(_Out):
    kind: str
    section: str
    citation: str


class Versions(_Out):
    """What produced the scorecard (rubric, prompts, engine, interviewer texts)."""

    rubric: str
    engine: str
    grader_models: list[str] = Field(default_factory=list)
    prompts: list[str] = Field(default_factory=list)
    texts: str


class Recommendation(_Out):
    """The bar-raiser's hire / no-hire call and why."""

    decision: str  # Hire | No Hire
    reasons: list[str]


class Scorecard(_Out):
    """A finished (or paused) interview, scored."""

    session: str
    panel: str
    level: str
    questions_answered: int
    answers: int
    score: int = Field(ge=1, le=5)
    recommendation: str
    signals: list[SignalResult]
    strengths: list[str]
    gaps: list[str]
    study: list[StudyItem]
    problems: list[ProblemResult] = Field(default_factory=list)
    hire: Recommendation | None = None
    flags: list[str] = Field(default_factory=list)
    versions: Versions

    def to_markdown(self) -> str:
        """The scorecard as a Markdown document."""
        out = [
            f"# Scorecard — {self.panel} ({self.level})",
            "",
            f"Session `{self.session}`: {self.questions_answered} question(s), "
            f"{self.answers} answer(s).",
            "",
            f"**Overall: {self.recommendation} ({self.score}/5)**",
            "",
        ]
        if self.hire:
            out += [f"**Bar-raiser: {self.hire.decision}.** " + " ".join(self.hire.reasons), ""]
        out += ["## Signals", "", "| Signal | Weight | Best | Mean |", "|---|---:|---:|---:|"]
        out += [f"| {s.name} | {s.weight:g} | {s.best}/4 | {s.mean:.1f} |" for s in self.signals]
        out.append("")
        for s in self.signals:
            if s.evidence:
                out.append(f"- **{s.name}**: " + "; ".join(f"“{q}”" for q in s.evidence))
        for problem in self.problems:
            out += ["", f"## Hard parts of question {problem.question_index + 1}", ""]
            for part in problem.parts:
                state = (
                    "addressed" if part.best >= 4 else "touched" if part.best else "not addressed"
                )
                quote = f" — “{part.evidence[0]}”" if part.evidence else ""
                out.append(f"- {part.name}: {state}{quote}")
        out += ["", "## Strengths", ""] + [f"- {x}" for x in self.strengths or ["(none yet)"]]
        out += ["", "## Gaps", ""] + [f"- {x}" for x in self.gaps or ["(none)"]]
        out += ["", "## Study next", ""]
        out += [f"- {i.section}: {i.citation}" for i in self.study] or ["- (nothing flagged)"]
        if self.flags:
            out += ["", "## Notes", ""] + [f"- {f}" for f in self.flags]
        v = self.versions
        out += [
            "",
            "---",
            f"rubric {v.rubric}; engine {v.engine}; texts {v.texts}"
            + (f"; prompts {', '.join(v.prompts)}" if v.prompts else "")
            + (f"; models {', '.join(v.grader_models)}" if v.grader_models else ""),
            "",
        ]
        return "\n".join(out)


def build_scorecard(
    rubric: PanelRubric,
    *,
    session: str,
    level: str,
    engine: str,
    grades: list[tuple[int, int, dict[str, Any]]],
    prompts: list[str] | None = None,
    flags: list[str] | None = None,
) -> Scorecard:
    """Score a session from its stored grades (turn seq, question index, grade dict)."""
    signals = [_signal_result(rubric, sig.id, grades) for sig in rubric.signals]
    per_question: dict[int, int] = {}
    for _, qi, g in grades:
        per_question[qi] = max(per_question.get(qi, 1), int(g["score"]))
    score = round(sum(per_question.values()) / len(per_question)) if per_question else 1
    score = min(5, max(1, score))
    ranked = sorted(signals, key=lambda s: (-s.best, -s.weight))
    strengths = [f"{s.name} ({s.best}/4)" for s in ranked if s.best >= 3][:3]
    weak = sorted(signals, key=lambda s: (s.best, -s.weight))
    gaps = [f"{s.name} ({s.best}/4)" for s in weak if s.best <= 2][:3]
    used_prompts = sorted(
        {g["prompt"] for _, _, g in grades if g.get("prompt")} | set(prompts or [])
    )
    card = Scorecard(
        session=session,
        panel=rubric.id,
        level=level,
        questions_answered=len(per_question),
        answers=len(grades),
        score=score,
        recommendation=INTERVIEW_LEVELS[score],
        signals=signals,
        strengths=strengths,
        gaps=gaps,
        study=_study(rubric, weak, grades),
        problems=_problems(grades),
        flags=flags or [],
        versions=Versions(
            rubric=rubric.ref,
            engine=engine,
            grader_models=sorted({g["model"] for _, _, g in grades if g.get("model")}),
            prompts=used_prompts,
            texts=load_texts().ref,
        ),
    )
    if rubric.id == "bar-raiser":
        card.hire = hire_decision(rubric, card)
    return card


def _signal_result(rubric: PanelRubric, signal_id: str, grades: list) -> SignalResult:
    sig = rubric.signal(signal_id)
    scores: list[tuple[int, list[str]]] = []
    for _, _, g in grades:
        for s in g["signals"]:
            if s["id"] == signal_id:
                scores.append((int(s["score"]), [e["text"] for e in s.get("evidence", [])]))
    best = max((s for s, _ in scores), default=0)
    mean = sum(s for s, _ in scores) / len(scores) if scores else 0.0
    evidence: list[str] = []
    for score, quotes in sorted(scores, key=lambda it: -it[0]):
        if score == 0:
            break
        for q in quotes:
            q = " ".join(q.split())[:_QUOTE_CHARS]
            if q and q not in evidence and len(evidence) < 2:
                evidence.append(q)
    return SignalResult(
        id=sig.id,
        name=sig.name,
        weight=sig.weight,
        best=best,
        mean=round(mean, 2),
        evidence=evidence,
    )


def _problems(grades: list) -> list[ProblemResult]:
    """Per design question: each hard part's best score and a quote, over all its answers."""
    out: dict[int, ProblemResult] = {}
    for _, qi, g in grades:
        if not g.get("problem") or not g.get("hard_parts"):
            continue
        result = out.setdefault(
            qi, ProblemResult(question_index=qi, problem=g["problem"], parts=[])
        )
        parts = {p.id: p for p in result.parts}
        for hp in g["hard_parts"]:
            part = parts.get(hp["id"])
            if part is None:
                part = PartResult(id=hp["id"], name=hp["name"], best=0)
                result.parts.append(part)
                parts[hp["id"]] = part
            if int(hp["score"]) > part.best:
                part.best = int(hp["score"])
                quotes = [
                    " ".join(e["text"].split())[:_QUOTE_CHARS] for e in hp.get("evidence", [])
                ]
                part.evidence = quotes[:1]
    return [out[qi] for qi in sorted(out)]


def _study(rubric: PanelRubric, weak: list[SignalResult], grades: list) -> list[StudyItem]:
    """Compendium sections for the gaps: the graders' citations first, then the rubric's."""
    gap_sections: list[str] = []
    for s in weak:
        if s.best <= 2:
            gap_sections += [k for k in rubric.signal(s.id).sections if k not in gap_sections]
    items: dict[str, StudyItem] = {}
    for _, _, g in grades:
        for c in g.get("sections", []):
            if c["kind"] in gap_sections and c["kind"] not in items:
                items[c["kind"]] = StudyItem(
                    kind=c["kind"], section=c["section"], citation=c["citation"]
                )
    for kind in gap_sections:
        if kind not in items:
            items[kind] = StudyItem(kind=kind, section=_section_title(kind), citation="")
    return sorted(items.values(), key=lambda i: gap_sections.index(i.kind))[:5]


def _section_title(kind: str) -> str:
    try:
        from simulator.knowledge.compendium import load_compendium

        k = load_compendium().kind(kind)
        return f"{getattr(k, 'number', '')}. {getattr(k, 'title', kind)}".lstrip(". ")
    except Exception:  # noqa: BLE001 - a title is cosmetic
        return kind


def hire_decision(rubric: PanelRubric, card: Scorecard) -> Recommendation:
    """Hire when the loop scores at least `hire_min_score` and no heavy signal is a blocker."""
    rules = load_texts().bar_raiser
    blockers = [
        s for s in card.signals if s.weight >= rules.blocker_weight and s.best <= rules.blocker_max
    ]
    hire = card.score >= rules.hire_min_score and not blockers
    reasons = [rules.overall_reason.format(recommendation=card.recommendation, score=card.score)]
    ranked = sorted(card.signals, key=lambda s: (-s.best, -s.weight))
    reasons += [
        rules.strength_reason.format(signal_name=s.name, score=s.best)
        for s in ranked
        if s.best >= 3
    ][:2]
    weak = sorted(card.signals, key=lambda s: (s.best, -s.weight))
    reasons += [
        rules.gap_reason.format(signal_name=s.name, score=s.best) for s in weak if s.best <= 2
    ][:2]
    return Recommendation(decision="Hire" if hire else "No Hire", reasons=reasons)
