"""The end-of-interview scorecard: per-signal scores with quotes, recommendation, what to study."""

from __future__ import annotations

from dataclasses import dataclass
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


class CheckLine(_Out):
    """One check of a signal on one question: passed with the quote, or why not."""

    id: str
    question: str
    passed: bool
    evidence: str | None = None
    why: str = ""
    near: str | None = None


class QuestionSignal(_Out):
    """A rubric signal on one question, from that question's answers only."""

    id: str
    name: str
    weight: float
    score: int = Field(ge=0, le=4)
    checks: list[CheckLine] = Field(default_factory=list)


class QuestionPart(_Out):
    """A hard part of one design question's problem, quoted from that question's answers."""

    id: str
    name: str
    score: int = Field(ge=0, le=4)
    state: str  # addressed | touched | not addressed
    evidence: str | None = None


class QuestionResult(_Out):
    """One main question graded on its own answers (the answer plus its follow-up answers)."""

    index: int
    question: str
    source: str = "bank"  # bank | own | artifact
    problem: str | None = Field(default=None, description="The known design problem's name.")
    problem_id: str | None = None
    score: int = Field(ge=1, le=5)
    level: str
    answers: int
    not_counted: int = Field(default=0, description="Off-topic attempts retried, not counted.")
    offtopic: bool = False
    caps: list[str] = Field(default_factory=list)
    signals: list[QuestionSignal]
    hard_parts: list[QuestionPart] = Field(default_factory=list)


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
    questions: list[QuestionResult] = Field(default_factory=list)
    overall: str = Field(default="", description="How the overall score was combined.")
    bar: int = Field(default=3, description="A signal is a strength at this mean score or above.")
    date: str = Field(default="", description="When the session started (local time).")
    hire: Recommendation | None = None
    flags: list[str] = Field(default_factory=list)
    versions: Versions

    def to_markdown(self) -> str:
        """The scorecard as a Markdown document: overall, per question (signals, checks,
        hard parts), strengths and gaps, what to study."""
        out = [
            f"# Scorecard — {self.panel} ({self.level})",
            "",
            (f"{self.date} · " if self.date else "")
            + f"Session `{self.session}`: {self.questions_answered} question(s), "
            f"{self.answers} answer(s).",
            "",
            f"**Overall: {self.recommendation} ({self.score}/5)**"
            + (f" — {self.overall}" if self.overall else ""),
            "",
        ]
        if self.hire:
            out += [f"**Bar-raiser: {self.hire.decision}.** " + " ".join(self.hire.reasons), ""]
        for q in self.questions:
            out += _question_markdown(q)
        out += [
            "## Signals over the session",
            "",
            "Best: the highest score a question reached on the signal; mean: over the questions.",
            "",
            "| Signal | Weight | Best | Mean |",
            "|---|---:|---:|---:|",
        ]
        out += [f"| {s.name} | {s.weight:g} | {s.best}/4 | {s.mean:.1f} |" for s in self.signals]
        out.append("")
        out += [f"## Strengths (mean at least {self.bar}/4, the {self.level} bar)", ""]
        out += [f"- {x}" for x in self.strengths or ["(none at the bar yet)"]]
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


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _question_markdown(q: QuestionResult) -> list[str]:
    """One question's section: its grade, signals with checks, and hard parts."""
    head = f"## Question {q.index + 1}: {q.level} ({q.score}/5)"
    out = [head, "", f"> {q.question}", ""]
    notes = []
    if q.problem:
        notes.append(f"design problem: {q.problem}")
    if q.source == "own":
        notes.append("your own question")
    notes.append(f"{q.answers} answer(s)")
    if q.not_counted:
        notes.append(f"{q.not_counted} off-topic attempt(s) retried, not counted")
    out += ["_" + "; ".join(notes) + "_", ""]
    out += [f"- {c}" for c in q.caps]
    if q.caps:
        out.append("")
    out += ["| Signal | Score | Check | | From your answers |", "|---|---:|---|---|---|"]
    for s in q.signals:
        for n, c in enumerate(s.checks):
            mark = "yes" if c.passed else "no"
            if c.evidence:
                quote = f"“{_cell(c.evidence)}”"
            elif c.near:
                quote = f"nearly: “{_cell(c.near)}” ({_cell(c.why)})"
            else:
                quote = "not found"
            name = f"{s.name}" if n == 0 else ""
            score = f"{s.score}/4" if n == 0 else ""
            out.append(f"| {name} | {score} | {_cell(c.question)} | {mark} | {quote} |")
    out.append("")
    if q.hard_parts:
        out += [f"**Hard parts of question {q.index + 1} ({q.problem})**", ""]
        for part in q.hard_parts:
            quote = f" — “{part.evidence}”" if part.evidence else ""
            out.append(f"- {part.name}: {part.state}{quote}")
        out.append("")
    return out


@dataclass(frozen=True)
class QuestionGrade:
    """A main question with the grade of its counted answers read together."""

    index: int
    item: dict[str, Any]  # the plan entry: text, source, problem, ...
    grade: dict[str, Any]
    answers: int
    not_counted: int = 0


def build_scorecard(
    rubric: PanelRubric,
    *,
    session: str,
    level: str,
    engine: str,
    grades: list[tuple[int, int, dict[str, Any]]],
    questions: list[QuestionGrade] | None = None,
    prompts: list[str] | None = None,
    flags: list[str] | None = None,
) -> Scorecard:
    """Score a session: each question on its own answers, then the explained combination.

    `grades` are the counted answers' grades (turn seq, question index, grade dict), for
    counts and provenance; `questions` hold one grade per answered question.
    """
    rules = load_texts().scorecard
    bar = rules.strength_bar[level] if level in rules.strength_bar else 3
    results = [_question_result(rubric, q) for q in questions or []]
    signals = [_signal_result(rubric, sig.id, questions or []) for sig in rubric.signals]
    if results:
        mean = sum(r.score for r in results) / len(results)
        score = min(5, max(1, int(mean + 0.5)))
        parts = ", ".join(f"Q{r.index + 1} {r.score}/5" for r in results)
        overall = rules.overall.format(
            recommendation=INTERVIEW_LEVELS[score], score=score, parts=parts, mean=f"{mean:.1f}"
        )
    else:
        score, overall = 1, rules.nothing_answered
    overall = " ".join(overall.split())
    ranked = sorted(signals, key=lambda s: (-s.mean, -s.weight))
    strengths = [f"{s.name} ({s.mean:g}/4)" for s in ranked if s.mean >= bar][:3]
    weak = sorted(signals, key=lambda s: (s.mean, -s.weight))
    gaps = [f"{s.name} ({s.mean:g}/4)" for s in weak if s.mean < bar][:3]
    used_prompts = sorted(
        {g["prompt"] for _, _, g in grades if g.get("prompt")} | set(prompts or [])
    )
    card = Scorecard(
        session=session,
        panel=rubric.id,
        level=level,
        questions_answered=len(results),
        answers=len(grades),
        score=score,
        recommendation=INTERVIEW_LEVELS[score],
        signals=signals,
        strengths=strengths,
        gaps=gaps,
        study=_study(rubric, [s for s in weak if s.mean < bar], [q.grade for q in questions or []]),
        problems=_problems(results),
        questions=results,
        overall=overall,
        bar=bar,
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


def _quote(text: str | None) -> str | None:
    return " ".join(text.split())[:_QUOTE_CHARS] if text else None


def _question_result(rubric: PanelRubric, q: QuestionGrade) -> QuestionResult:
    g = q.grade
    signals = []
    for s in g.get("signals", []):
        checks = [
            CheckLine(
                id=c["id"],
                question=c["question"],
                passed=bool(c["passed"]),
                evidence=_quote((c.get("evidence") or {}).get("text")),
                why=c.get("why", ""),
                near=_quote((c.get("near") or {}).get("text")),
            )
            for c in s.get("checks", [])
        ]
        signals.append(
            QuestionSignal(
                id=s["id"], name=s["name"], weight=s["weight"], score=s["score"], checks=checks
            )
        )
    parts = []
    for hp in g.get("hard_parts") or []:
        score = int(hp["score"])
        state = "addressed" if score >= 4 else "touched" if score else "not addressed"
        quote = _quote(hp["evidence"][0]["text"]) if hp.get("evidence") else None
        parts.append(
            QuestionPart(id=hp["id"], name=hp["name"], score=score, state=state, evidence=quote)
        )
    problem = None
    if g.get("problem"):
        from simulator.knowledge.design import design_knowledge

        found = design_knowledge().problem(g["problem"])
        problem = found.name if found else g["problem"]
    return QuestionResult(
        index=q.index,
        question=q.item["text"],
        source=q.item.get("source", "bank"),
        problem=problem,
        problem_id=g.get("problem"),
        score=int(g["score"]),
        level=g.get("level") or INTERVIEW_LEVELS[int(g["score"])],
        answers=q.answers,
        not_counted=q.not_counted,
        offtopic=bool(g.get("offtopic")),
        caps=list(g.get("caps") or []),
        signals=signals,
        hard_parts=parts,
    )


def _signal_result(
    rubric: PanelRubric, signal_id: str, questions: list[QuestionGrade]
) -> SignalResult:
    """A signal over the session: best and mean of its per-question scores, quotes from the
    best-scored questions (each quote from the answers of the question it is scored on)."""
    sig = rubric.signal(signal_id)
    scores: list[tuple[int, list[str]]] = []
    for q in questions:
        for s in q.grade.get("signals", []):
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


def _problems(results: list[QuestionResult]) -> list[ProblemResult]:
    """Per design question: each hard part's score and a quote, from that question only."""
    return [
        ProblemResult(
            question_index=r.index,
            problem=r.problem_id or "",
            parts=[
                PartResult(
                    id=p.id, name=p.name, best=p.score, evidence=[p.evidence] if p.evidence else []
                )
                for p in r.hard_parts
            ],
        )
        for r in results
        if r.hard_parts
    ]


def _study(rubric: PanelRubric, weak: list[SignalResult], grades: list) -> list[StudyItem]:
    """Compendium sections for the gaps: the graders' citations first, then the rubric's."""
    gap_sections: list[str] = []
    for s in weak:
        gap_sections += [k for k in rubric.signal(s.id).sections if k not in gap_sections]
    items: dict[str, StudyItem] = {}
    for g in grades:
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
