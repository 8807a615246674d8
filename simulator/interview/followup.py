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
_QUOTE_MARKS = re.compile(r"[\"“”„«»]")
_VERB = re.compile(r"[a-z]{3,}(?:ed|ays|ains|eeds|akes|ives|ows|ing)")
_TOKEN = re.compile(r"[\w'%/-]+")
_CONJUNCTIONS = {"and", "but", "so", "then", "also", "or", "because", "while"}


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
    check: str | None = None  # the check it asks for, when it aims at one


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
    """A whole verbatim clause of `answer` naming a component or decision, or None.

    A clause is a sentence, or its part between commas when the sentence is too long to
    quote; it holds a subject or a verb (never a bare number or a noun phrase cut out of a
    sentence), has no quotation marks of its own, and carries a number, a claim or a
    component. Clauses that touch the signal's `cues` go first; spans in `skip` (an
    injection the grader found) are never quoted back.
    """
    found = [c for c in clauses(answer, skip=skip) if c[0] < 3]
    if not found:
        return None
    from simulator.grading.text import matches

    ranked = [
        (rank + (0 if cues and matches(text, cues) else 3), start, len(text), text)
        for rank, start, text in found
    ]
    # The first, then the shortest: a sentence's opening comma part beats the whole sentence.
    return min(ranked, key=lambda it: (it[0], it[1], it[2]))[3]


def clauses(
    answer: str, *, skip: list[tuple[int, int]] | None = None
) -> list[tuple[int, int, str]]:
    """(rank, offset, text) of every quotable clause: rank 0 holds a number and names a
    component, 1 a number, 2 a claim or a component, 3 neither."""
    rules = load_texts().quote
    out: list[tuple[int, int, str]] = []
    for m in _CLAUSE.finditer(answer):
        for start, text in _whole_parts(m.start(), m.group(), rules.max_words):
            if any(start < e and s < start + len(text) for s, e in skip or []):
                continue
            if not rules.min_words <= len(text.split()) <= rules.max_words:
                continue
            if _QUOTE_MARKS.search(text) or not _is_clause(text, rules.clause_words):
                continue
            number = bool(_NUMBER.search(text))
            component = _has_any(text, rules.component_words)
            claim = _has_any(text, rules.claim_words)
            rank = 0 if number and component else 1 if number else 2 if claim or component else 3
            out.append((rank, start, text))
    return out


def _whole_parts(offset: int, clause: str, max_words: int) -> list[tuple[int, str]]:
    """The clause itself when short enough, and its comma-separated parts; each trimmed of
    white space, a leading conjunction and trailing punctuation (still verbatim)."""
    pieces = [(0, clause)] if len(clause.split()) <= max_words else []
    if "," in clause:
        at = 0
        for part in clause.split(","):
            pieces.append((at, part))
            at += len(part) + 1
    out = []
    for at, part in pieces:
        lead = len(part) - len(part.lstrip())
        text = part.strip()
        first = text.split(" ", 1)
        if len(first) == 2 and first[0].lower() in _CONJUNCTIONS:
            lead += len(first[0]) + 1
            text = first[1].lstrip()
        text = text.rstrip(".,;:!?)—- ").strip()
        if text:
            out.append((offset + at + lead, text))
    return out


def _is_clause(text: str, words: list[str]) -> bool:
    """Holds a subject or a verb: a listed word, or an inflected one ("stayed", "stays")."""
    if _has_any(text, words):
        return True
    return any(_VERB.fullmatch(w) for w in _TOKEN.findall(text.lower())[1:])


def _has_any(text: str, words: list[str]) -> bool:
    low = " " + " ".join(_TOKEN.findall(text.lower())) + " "
    return any(f" {w} " in low for w in words)


def render(template: str, *, quote: str | None, topic: str) -> str:
    """A follow-up template with its `{quote}` and `{topic}` slots filled."""
    return template.replace("{quote}", quote or "").replace("{topic}", topic)


def target_check(signal: Signal, template: str) -> str | None:
    """The id of the check a follow-up template asks for: the first whose concept it names."""
    from simulator.phrases import contains_any

    bare = template.replace("{quote}", " ").replace("{topic}", " ")
    return next((c.id for c in signal.checks if contains_any(bare, c.terms[0])), None)


def _near_quote(sentence: str | None) -> str | None:
    """A whole clause of a near-miss sentence (the candidate's own words), if quotable."""
    if not sentence:
        return None
    return find_quote(sentence) or next((t for rank, _, t in clauses(sentence) if rank <= 3), None)


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
    passed: set[str] | None = None,
    near: dict[str, str] | None = None,
    probed_checks: set[str] | None = None,
) -> FollowUp | None:
    """The next offline follow-up, or None when no weak signal has an unasked one left.

    For each weak signal (heaviest first) it asks the compendium's high-signal follow-up on
    the heaviest check no answer to the question has passed (`passed`; quoting the near-miss
    sentence of `near` when there is one), then the rubric's templates, skipping any whose
    check has passed: the interviewer never asks for what the answers already contain.
    `probed` counts the follow-ups already aimed at each signal on this question,
    `probed_checks` the checks already asked about.
    """
    high = load_texts().check_follow_ups.get(rubric.id, {})
    passed, near, probed_checks = passed or set(), near or {}, probed_checks or set()
    for signal in weak_signals(rubric, best, probed):
        quote = find_quote(answer, cues=signal.cues, skip=skip)
        for check in sorted(signal.checks, key=lambda c: -c.weight):
            if check.id in passed or check.id in probed_checks or check.id not in high:
                continue
            template = high[check.id]
            said = _near_quote(near.get(check.id)) or quote
            if "{quote}" in template and not said:
                continue
            text = " ".join(render(template, quote=said, topic=topic).split())
            if text not in asked:
                used = said if "{quote}" in template else None
                return FollowUp(text=text, signal=signal.id, quote=used, check=check.id)
        options = [
            (i, t)
            for i, t in enumerate(signal.follow_ups)
            if (signal.id, i) not in used_templates
            and ("{quote}" not in t or quote)
            and target_check(signal, t) not in passed | probed_checks
        ]
        # A claim worth challenging goes first: quoting the candidate makes it concrete.
        options.sort(key=lambda it: 0 if quote and "{quote}" in it[1] else 1)
        for index, template in options:
            text = render(template, quote=quote, topic=topic)
            if text not in asked:
                used = quote if "{quote}" in template else None
                return FollowUp(
                    text=text,
                    signal=signal.id,
                    template=index,
                    quote=used,
                    check=target_check(signal, template),
                )
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
    from simulator.grading.llm import verify_quote

    # The candidate's own words only, once tags, quotation marks and ellipses are stripped.
    span = verify_quote(answer, out.quote) if out.quote else None
    quote = span.text if span is not None else None
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
