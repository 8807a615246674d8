"""Feedback, pitfalls, suggestions and sections to study, written from the rubric's own text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.grading.grade import Citation, SignalScore, weakest_first
from simulator.knowledge.rubrics import ArtifactRubric, PanelRubric, Signal

if TYPE_CHECKING:
    from simulator.grading.offline import Features

#: How a pitfall about a mechanism that cannot work begins (the LLM engine gets these as hints).
UNSOUND = "Unsound mechanism:"
_TERMS_AT = 0.3
#: Answer-level problems: (feature, threshold, the pitfall as the user reads it).
_GLOBAL_PITFALLS = (
    ("offtopic", 0.6, "Off-topic: the answer does not address the question asked."),
    (
        "rambling",
        0.45,
        "Overlong chronology: the story is told blow by blow instead of by decisions.",
    ),
    ("stuffing", 0.35, "Number-stuffing: many figures, little about what was done or why."),
    (
        "terms",
        _TERMS_AT,
        "Term list: techniques and tools are named, but not what the design does with them or why.",
    ),
    ("hedging", 0.3, "Hedged or non-committal: too many 'I think', 'maybe', 'I don't know'."),
)


def signal_feedback(signal: Signal, score: int) -> str:
    """One or two sentences on a signal, from its strong/weak descriptions."""
    if score >= 4:
        return f"Strong: {signal.strong}"
    if score == 3:
        return f"Good. To make it exemplary: {signal.strong}"
    if score == 2:
        return f"Partly there. Aim for: {signal.strong}"
    return f"Missing or weak ({signal.weak.rstrip('.')}). Aim for: {signal.strong}"


def pitfalls(
    rubric: PanelRubric | ArtifactRubric, signals: list[SignalScore], features: Features
) -> list[str]:
    """The compendium pitfalls the scores reveal, plus answer-level problems."""
    by_id = {s.id: s for s in signals}
    found: list[str] = []
    if isinstance(rubric, ArtifactRubric):
        for pitfall in rubric.pitfalls:
            if by_id[pitfall.signal].score <= pitfall.at_most:
                found.append(pitfall.text)
    if features.reading is not None:
        for trap, span in features.reading.traps:
            quote = span.text if len(span.text) <= 140 else span.text[:137] + "..."
            found.append(f'{UNSOUND} {trap.name} ("{quote}"). {trap.why}')
    listed = features.terms >= _TERMS_AT
    for feature, threshold, text in _GLOBAL_PITFALLS:
        # Lists of names read as off-topic once blanked: the term list is the diagnosis.
        if getattr(features, feature) >= threshold and not (feature == "offtopic" and listed):
            found.append(text)
    if features.words and features.words < 40:
        heaviest = sorted(rubric.signals, key=lambda s: -s.weight)[:3]
        names = ", ".join(s.name.lower() for s in heaviest)
        found.append(f"Too short to show the signals: cover {names}.")
    return found


def suggestions(
    rubric: PanelRubric | ArtifactRubric, signals: list[SignalScore], features: Features
) -> list[str]:
    """Concrete next edits for the weakest heavy signals."""
    ranked = weakest_first(signals)
    out: list[str] = []
    if features.reading is not None and features.reading.problem is not None:
        missing = sorted(features.reading.parts, key=lambda p: p.score)
        for part in [p for p in missing if p.score < 0.5][:2]:
            out.append(
                f"Hard part of {features.reading.problem.name}: {part.part.name}. "
                f"{part.part.description}"
            )
    for scored in ranked:
        if scored.score >= 3 or len(out) >= 4:
            continue
        signal = rubric.signal(scored.id)
        fields = f" (template: {', '.join(signal.fields)})" if signal.fields else ""
        out.append(f"{signal.name}{fields}: {signal.strong}")
    if features.rambling >= 0.45:
        out.append("Cut the chronology to the three decisions that mattered and their results.")
    return out


def sections_to_study(
    rubric: PanelRubric | ArtifactRubric, signals: list[SignalScore], limit: int = 3
) -> list[Citation]:
    """Compendium sections behind the weakest signals, cited by heading and passage."""
    from simulator.knowledge.compendium import load_compendium

    compendium = load_compendium()
    ranked = weakest_first(signals)
    out: list[Citation] = []
    seen: set[str] = set()
    for scored in ranked:
        if scored.score >= 3 or len(out) >= limit:
            continue
        signal = rubric.signal(scored.id)
        kind_id = next((k for k in signal.sections if k not in seen), None)
        if kind_id is None:
            continue
        seen.add(kind_id)
        kind = compendium.kind(kind_id)
        fields = [f for f in kind.template if any(f.name in g for g in signal.fields)]
        part = "Template" if fields else "Purpose"
        passage = (
            "; ".join(f"{f.name}" + (f" ({f.detail})" if f.detail else "") for f in fields)
            or kind.purpose
        )
        out.append(
            Citation(
                kind=kind_id,
                section=f"{kind.heading} > {part}",
                citation=passage,
            )
        )
    return out
