"""Feedback, pitfalls, suggestions and sections to study, written from the rubric's own text."""

from __future__ import annotations

from simulator.grading.checklist import CheckAnswer
from simulator.grading.features import Features
from simulator.grading.grade import Citation, SignalScore, weakest_first
from simulator.knowledge.rubrics import ArtifactRubric, PanelRubric, Signal

#: How a pitfall about a mechanism that cannot work begins (the LLM engine gets these as hints).
UNSOUND = "Unsound mechanism:"
_TERMS_AT = 0.3
_QUOTE_CHARS = 140
#: Answer-level problems: (feature, threshold, the pitfall as the user reads it).
_GLOBAL_PITFALLS = (
    (
        "rambling",
        0.45,
        "Overlong chronology: the story is told blow by blow instead of by decisions.",
    ),
    ("stuffing", 0.35, "Number-stuffing: many figures, little about what was done or why."),
    (
        "terms",
        _TERMS_AT,
        "Term list: techniques and tools are named, but not what is done with them or why.",
    ),
    ("hedging", 0.3, "Hedged or non-committal: too many 'I think', 'maybe', 'I don't know'."),
)


def quote(text: str) -> str:
    """A sentence short enough to quote in feedback."""
    text = " ".join(text.split())
    return text if len(text) <= _QUOTE_CHARS else text[: _QUOTE_CHARS - 3].rstrip() + "..."


def near_miss(answer: CheckAnswer) -> str | None:
    """ "You mention ... but not ...": a sentence that nearly passed, and what it lacks."""
    if answer.passed or answer.near is None or not answer.missing:
        return None
    lacks = " or ".join(answer.missing) if len(answer.missing) == 1 else ", ".join(answer.missing)
    return f'You wrote "{quote(answer.near.text)}", but it lacks {lacks}.'


def signal_feedback(signal: Signal, answers: list[CheckAnswer]) -> str:
    """What the checks found: which passed, and for the first failed one what to add."""
    passed = [a for a in answers if a.passed]
    failed = [a for a in answers if not a.passed]
    if not failed:
        return f"All {len(answers)} checks pass."
    if not passed:
        head = f"No check passes: nothing in the text shows {signal.name.lower()}."
    else:
        head = f"{len(passed)} of {len(answers)} checks pass."
    first = failed[0]
    hint = near_miss(first) or f"Missing: {first.check.counts}"
    return f"{head} {hint}"


def pitfalls(
    rubric: PanelRubric | ArtifactRubric, signals: list[SignalScore], features: Features
) -> list[str]:
    """The compendium pitfalls the checks reveal, the caps that apply, answer-level problems."""
    by_id = {s.id: s for s in signals}
    found: list[str] = []
    hits = {c.id: c for c in features.pitfalls}
    for pitfall in rubric.pitfalls:
        if pitfall.check is not None:
            hit = hits.get(pitfall.id)
            if hit is not None:
                span = f' ("{quote(hit.span.text)}")' if hit.span else ""
                capped = f" (capped at {hit.level})" if hit.level < 5 else ""
                found.append(f"{pitfall.text}{span}{capped}")
        elif by_id[pitfall.signal].score <= pitfall.at_most:
            found.append(pitfall.text)
    if features.reading is not None:
        for trap, span in features.reading.traps:
            found.append(f'{UNSOUND} {trap.name} ("{quote(span.text)}"). {trap.why}')
    for cap in features.caps:
        if cap.id in ("unsound_mechanism",) or any(p.id == cap.id for p in rubric.pitfalls):
            continue
        found.append(cap.text)
    for feature, threshold, text in _GLOBAL_PITFALLS:
        if getattr(features, feature) >= threshold:
            found.append(text)
    if features.words and features.words < 40:
        heaviest = sorted(rubric.signals, key=lambda s: -s.weight)[:3]
        names = ", ".join(s.name.lower() for s in heaviest)
        found.append(f"Too short to show the signals: cover {names}.")
    return found


def suggestions(
    rubric: PanelRubric | ArtifactRubric, signals: list[SignalScore], features: Features
) -> list[str]:
    """Concrete next edits: the failed checks of the weakest heavy signals, in plain words."""
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
        answers = features.checks.get(scored.id, [])
        failed = [a for a in answers if not a.passed]
        if not failed:
            continue
        first = max(failed, key=lambda a: a.check.weight)
        out.append(near_miss(first) or f"{scored.name}: {first.check.counts}")
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
