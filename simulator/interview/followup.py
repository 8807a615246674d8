"""Choosing and phrasing follow-ups: aim at the heaviest signal still weak, never repeat one."""

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
    """A follow-up question and the signal it aims at."""

    text: str
    signal: str
    template: int | None = None  # index into the signal's `follow_ups`; None when generated
    quote: str | None = None
    source: str = "template"  # template | llm
    prompt: str | None = None


def merge_best(grades: list[dict[str, Any]]) -> dict[str, int]:
    """Per-signal best score over several grades (of one question, or of a session)."""
    best: dict[str, int] = {}
    for grade in grades:
        for s in grade["signals"]:
            best[s["id"]] = max(best.get(s["id"], 0), int(s["score"]))
    return best


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
    signal_id: str,
    *,
    question: str,
    answer: str,
    asked: set[str],
    fallback: FollowUp,
) -> FollowUp:
    """A follow-up generated by the LLM (`follow_up` prompt), grounded in compendium passages.

    Any failure (endpoint down, invalid output, a repeat, a non-verbatim quote) returns
    `fallback`, the offline template follow-up.
    """
    from simulator.errors import UserError
    from simulator.llm import get_engine
    from simulator.llm.errors import StructuredOutputError

    signal = rubric.signal(signal_id)
    variables = {
        "panel_name": rubric.name,
        "question": question,
        "signal": {
            "id": signal.id,
            "name": signal.name,
            "description": signal.description,
            "strong": signal.strong,
            "weak": signal.weak,
        },
        "answer": answer,
        "asked": sorted(asked),
        "context": _context(signal) or signal.strong,
    }
    try:
        out, prov = get_engine().structured("follow_up", variables, rubric_ref=rubric.ref)
    except (StructuredOutputError, UserError):
        return fallback
    text = " ".join(str(out.question).split())
    if not text or text in asked:
        return fallback
    quote = out.quote if out.quote and out.quote in answer else None
    return FollowUp(text=text, signal=signal.id, quote=quote, source="llm", prompt=prov.prompt)


def _context(signal: Signal) -> list[str]:
    """Compendium passages on the signal's sections (empty when no store is ingested)."""
    try:
        from simulator.store.retrieval import retrieve

        hits = retrieve(f"{signal.name}. {signal.description}", 3, kinds=signal.sections)
    except Exception:  # noqa: BLE001 - grounding is a bonus; the follow-up still runs
        return []
    return [h.citation for h in hits if h.collection == "compendium"]
