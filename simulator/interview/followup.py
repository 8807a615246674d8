"""Choosing and phrasing follow-ups: aim at what the answer left out, never repeat one.

Two kinds: a weak rubric signal (the heaviest first) and, on the design panels, a hard part
of the design problem no answer to the question has addressed yet (from the grade's
`hard_parts`, which come from `corpus/design_problems.yaml`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from simulator.interview.texts import load_texts
from simulator.knowledge.rubrics import PanelRubric, Signal

#: A signal at or below this best score is still weak and worth a follow-up.
WEAK_AT_MOST = 2

#: A clause: up to a sentence end or a strong break (a decimal point does not end one).
_CLAUSE = re.compile(r"(?:[^.!?;:\n]|\.(?=\d))+")
_NUMBER = re.compile(r"\d")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class FollowUp:
    """A follow-up question and the signal (or the design problem's hard part) it aims at."""

    text: str
    signal: str | None
    template: int | None = None  # index into the signal's `follow_ups`; None when generated
    quote: str | None = None
    source: str = "template"  # template | llm
    prompt: str | None = None
    hard_part: str | None = None


def merge_best(grades: list[dict[str, Any]], scored: str = "signals") -> dict[str, int]:
    """Per-item best score over several grades (of one question, or of a session); `scored`
    names the grade's list of scored items: "signals" or "hard_parts"."""
    best: dict[str, int] = {}
    for grade in grades:
        for s in grade.get(scored) or []:
            best[s["id"]] = max(best.get(s["id"], 0), int(s["score"]))
    return best


def unsolved_parts(grades: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(id, name) of the hard parts no grade of the question found addressed, in file order."""
    names = {p["id"]: p["name"] for g in grades for p in g.get("hard_parts") or []}
    best = merge_best(grades, "hard_parts")
    return [(pid, names[pid]) for pid, score in best.items() if score == 0]


def hard_part_follow_up(
    parts: list[tuple[str, str]], *, probed: set[str], asked: set[str]
) -> FollowUp | None:
    """A follow-up on the first unsolved hard part not yet probed, or None."""
    templates = load_texts().hard_part_follow_ups
    for part_id, name in parts:
        if part_id in probed:
            continue
        for shift in range(len(templates)):
            text = templates[(len(probed) + shift) % len(templates)].format(part=name)
            if text not in asked:
                return FollowUp(text=text, signal=None, hard_part=part_id)
    return None


def weak_signals(
    rubric: PanelRubric, best: dict[str, int], probed: dict[str, int] | None = None
) -> list[Signal]:
    """Signals still weak, heaviest first; ties go to the least probed, then the lowest score."""
    weak = [s for s in rubric.signals if best.get(s.id, 0) <= WEAK_AT_MOST]
    order = {s.id: i for i, s in enumerate(rubric.signals)}
    probed = probed or {}
    return sorted(
        weak, key=lambda s: (-s.weight, probed.get(s.id, 0), best.get(s.id, 0), order[s.id])
    )


def find_quote(
    answer: str, *, cues: list[str] | None = None, skip: list[tuple[int, int]] | None = None
) -> str | None:
    """A short verbatim phrase of `answer` carrying a number or a claim, or None.

    Clauses that touch the signal's `cues` go first; spans in `skip` (an injection the
    grader found) are never quoted back.
    """
    from simulator.grading.text import matches

    rules = load_texts().quote
    claims = [re.compile(rf"\b{re.escape(w)}\b", re.IGNORECASE) for w in rules.claim_words]
    found: list[tuple[int, int, str]] = []  # (rank, offset, clause)
    for m in _CLAUSE.finditer(answer):
        clause = m.group()
        if len(clause.split()) < 4:
            continue
        if any(m.start() < end and start < m.end() for start, end in skip or []):
            continue
        if _NUMBER.search(clause):
            rank = 0
        elif any(c.search(clause) for c in claims):
            rank = 2
        else:
            continue
        if not (cues and matches(clause, cues)):
            rank += 1
        found.append((rank, m.start(), clause))
    if not found:
        return None
    _, offset, clause = min(found, key=lambda it: (it[0], it[1]))
    offset, clause = _comma_part(offset, clause, claims)
    words = list(_WORD.finditer(clause))[: rules.max_words]
    text = answer[offset + words[0].start() : offset + words[-1].end()]
    return text.rstrip(".,;:!?").strip()


def _comma_part(offset: int, clause: str, claims: list[re.Pattern[str]]) -> tuple[int, str]:
    """The comma-separated part of `clause` holding its number or claim, if long enough."""
    at = 0
    for part in clause.split(","):
        if len(part.split()) >= 4 and (_NUMBER.search(part) or any(c.search(part) for c in claims)):
            lead = len(part) - len(part.lstrip())
            return offset + at + lead, part.strip()
        at += len(part) + 1
    return offset, clause


def render(template: str, *, quote: str | None, topic: str) -> str:
    """A follow-up template with its `{quote}` and `{topic}` slots filled."""
    return template.replace("{quote}", quote or "").replace("{topic}", topic)


def choose_follow_up(
    rubric: PanelRubric,
    best: dict[str, int],
    *,
    answer: str,
    topic: str,
    asked: set[str],
    used_templates: set[tuple[str, int]],
    skip: list[tuple[int, int]] | None = None,
    probed: dict[str, int] | None = None,
) -> FollowUp | None:
    """The next offline follow-up, or None when no weak signal has an unasked one left.

    `probed` counts the follow-ups already aimed at each signal on this question.
    """
    for signal in weak_signals(rubric, best, probed):
        quote = find_quote(answer, cues=signal.cues, skip=skip)
        options = [
            (i, t)
            for i, t in enumerate(signal.follow_ups)
            if (signal.id, i) not in used_templates and ("{quote}" not in t or quote)
        ]
        # A claim worth challenging goes first: quoting the candidate makes it concrete.
        options.sort(key=lambda it: 0 if quote and "{quote}" in it[1] else 1)
        for index, template in options:
            text = render(template, quote=quote, topic=topic)
            if text not in asked:
                used = quote if "{quote}" in template else None
                return FollowUp(text=text, signal=signal.id, template=index, quote=used)
    return None


def llm_follow_up(
    rubric: PanelRubric,
    signal_id: str | None,
    *,
    question: str,
    answer: str,
    asked: set[str],
    fallback: FollowUp,
) -> FollowUp:
    """A follow-up generated by the LLM (`follow_up` prompt), grounded in compendium passages.

    It probes `signal_id`, or the design problem's hard part when `fallback` aims at one.
    Any failure (endpoint down, invalid output, a repeat, a non-verbatim quote) returns
    `fallback`, the offline template follow-up.
    """
    from simulator.errors import UserError
    from simulator.llm import get_engine
    from simulator.llm.errors import StructuredOutputError

    focus = _focus(rubric, signal_id, fallback.hard_part)
    if focus is None:
        return fallback
    target, sections = focus
    variables = {
        "panel_name": rubric.name,
        "question": question,
        "signal": target,
        "answer": answer,
        "asked": sorted(asked),
        "context": _context(f"{target['name']}. {target['description']}", sections)
        or target["strong"],
    }
    try:
        out, prov = get_engine().structured("follow_up", variables, rubric_ref=rubric.ref)
    except (StructuredOutputError, UserError):
        return fallback
    text = " ".join(str(out.question).split())
    if not text or text in asked:
        return fallback
    quote = out.quote if out.quote and out.quote in answer else None
    return FollowUp(
        text=text,
        signal=fallback.signal,
        quote=quote,
        source="llm",
        prompt=prov.prompt,
        hard_part=fallback.hard_part,
    )


def _focus(
    rubric: PanelRubric, signal_id: str | None, part_id: str | None
) -> tuple[dict[str, str], tuple[str, ...]] | None:
    """What the prompt's `signal` describes (a rubric signal or a hard part), and its sections."""
    if part_id:
        from simulator.knowledge.design import design_knowledge

        found = design_knowledge().hard_part(part_id)
        if found is None:
            return None
        problem, part = found
        target = {"id": part.id, "name": part.name, "description": part.description}
        weak = "Does not say how the design handles this part."
        return {**target, "strong": part.description, "weak": weak}, problem.sections
    if signal_id is None:
        return None
    signal = rubric.signal(signal_id)
    target = {"id": signal.id, "name": signal.name, "description": signal.description}
    return {**target, "strong": signal.strong, "weak": signal.weak}, tuple(signal.sections)


def _context(query: str, sections: tuple[str, ...]) -> list[str]:
    """Compendium passages on `sections` (empty when no store is ingested)."""
    try:
        from simulator.store.retrieval import retrieve

        hits = retrieve(query, 3, kinds=list(sections))
    except Exception:  # noqa: BLE001 - grounding is a bonus; the follow-up still runs
        return []
    return [h.citation for h in hits if h.collection == "compendium"]
