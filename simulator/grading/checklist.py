"""Answering a rubric's checks from the text: each passes at most once, on one sentence.

A check (`knowledge.rubrics.Check`) is a yes/no question with what counts and what does
not. Offline it passes on the first sentence, list item or table row that names its
concept (a phrase of every group in `terms`) with the detail it asks for (`needs`, see
`grading.specifics`). However long the text, a check passes once: volume earns nothing,
and a generic sentence ("we will monitor it") lacks the detail. The sentence that passed
is the evidence; a sentence that names the concept without the detail is kept as a near
miss, so feedback can quote it and say what it lacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from simulator.grading.specifics import LACKS, kinds
from simulator.grading.text import Doc, Span
from simulator.knowledge.rubrics import Check, Signal, check_terms
from simulator.phrases import contains_any

#: Placeholder text never passes a check, whatever it names.
_PLACEHOLDERS = ("tbd", "tbc", "n/a", "todo", "to be determined", "to be decided", "placeholder")


@dataclass(frozen=True)
class CheckAnswer:
    """One check answered on one text."""

    check: Check
    passed: bool
    span: Span | None = None
    #: A sentence that names the concept but lacks `missing` (only when not passed).
    near: Span | None = None
    missing: tuple[str, ...] = ()

    @property
    def why(self) -> str:
        """One sentence: what passed it, or what was not found and what a near miss lacks."""
        if self.passed:
            return f"Yes: {self.check.counts}"
        if self.near is not None and self.missing:
            return f"Not yet: a sentence names it but lacks {_join(self.missing)}."
        return f"Not found: {self.check.counts}"


def _join(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@cache
def _action_headings() -> tuple[str, ...]:
    return check_terms().get("h_actions", ())


#: A sentence that opens by naming itself a list of actions ("Actions, each tied to a cause:
#: contract tests assert null handling ...", "Corrective actions: ...").
_ACTIONS_OPENER = re.compile(r"^\s*(?:\*\*)?([A-Z][A-Za-z -]{2,24}?)(?:\*\*)?\s*[,:(]")


def _placed_as_action(text: str, heading: str) -> bool:
    """Whether the sentence stands under an actions heading or opens as a list of actions."""
    if contains_any(heading, _action_headings()):
        return True
    m = _ACTIONS_OPENER.match(text)
    return bool(m) and len(m.group(1).split()) <= 3 and contains_any(m.group(1), _action_headings())


def _missing(check: Check, text: str, heading: str = "") -> tuple[str, ...]:
    """What `text` lacks for `check` (empty: it passes). Under an actions heading a
    sentence is a directive by where it stands."""
    tests = kinds()

    def has(kind: str) -> bool:
        if kind == "directive" and _placed_as_action(text, heading):
            return True
        return tests[kind](text)

    lacks = [LACKS[k] for k in check.needs if not has(k)]
    if check.needs_any and not any(has(k) for k in check.needs_any):
        lacks.append(" or ".join(LACKS[k] for k in check.needs_any))
    for group in check.terms[1:]:
        if not contains_any(text, group):
            lacks.append(f"mention of {group[0]}")
    return tuple(lacks)


@dataclass(frozen=True)
class Unit:
    """A sentence, list item or table row, with the heading of the section it stands in."""

    span: Span
    heading: str = ""

    @property
    def text(self) -> str:
        return self.span.text


def answer(check: Check, units: list[Unit]) -> CheckAnswer:
    """The check answered on `units` (in document order).

    The concept (the first phrase group) may come from the section heading ("## Decision"
    over "Migrate to OpenSearch..."); every other part must be in the sentence itself.
    """
    near: tuple[int, Span, tuple[str, ...]] | None = None
    for unit in units[: check.within] if check.within else units:
        text = unit.text
        if (
            check.not_under
            and unit.heading
            and contains_any(unit.heading, check.not_under)
            and not contains_any(unit.heading, check.terms[0])  # "SLOs and targets"
        ):
            continue
        if not contains_any(text, check.terms[0]) and not (
            unit.heading and contains_any(unit.heading, check.terms[0])
        ):
            continue
        if contains_any(text, _PLACEHOLDERS) or (check.none and contains_any(text, check.none)):
            continue
        missing = _missing(check, text, unit.heading)
        if not missing:
            return CheckAnswer(check, True, unit.span)
        if near is None or len(missing) < near[0]:
            near = (len(missing), unit.span, missing)
    if near is None:
        return CheckAnswer(check, False)
    return CheckAnswer(check, False, near=near[1], missing=near[2])


def passes(check: Check, sentence: str) -> bool:
    """Whether one sentence on its own passes `check` (the data tests use this)."""
    return answer(check, [Unit(Span(0, len(sentence), sentence))]).passed


def _is_heading(text: str, followed: bool = False) -> bool:
    """A heading line: `# Title`, `**Title**`, `Title:`, or (when text follows on the next
    line) a short line with no closing punctuation ("Decision", "How we will measure it")."""
    stripped = text.strip()
    if (
        followed
        and 0 < len(stripped.split()) <= 6
        and (stripped[-1:].isalnum() or stripped[-1:] == ")")
    ):
        return stripped[:1].isupper()
    if stripped.startswith("#"):
        return True
    if re.fullmatch(r"\*\*[^*]{1,80}\*\*:?", stripped) or re.fullmatch(r"__[^_]{1,80}__", stripped):
        return True
    return stripped.endswith(":") and len(stripped.split()) <= 6


def _gap(text: str, start: int) -> tuple[int, str]:
    """The white space before `start`: where it begins, and its tail after the last
    non-blank line's spaces and tabs. Read backwards, so a long text costs no copies."""
    j = start
    while j > 0 and text[j - 1].isspace():
        j -= 1
    return j, text[j:start].rstrip(" \t")


def _starts_line(text: str, start: int) -> bool:
    """Whether a sentence at `start` begins a line (indentation aside)."""
    j, tail = _gap(text, start)
    return j == 0 or tail.endswith("\n")


_NEXT = re.compile(r"\S")


def _opens_section(text: str, start: int, rest: int) -> bool:
    """Whether a short first line at `start` reads as a heading over the text from `rest`,
    not as the first line of hard-wrapped prose: it begins a line after a blank line or a
    finished sentence, and the next line begins something new (a capital, a figure, a list
    or table mark)."""
    j, tail = _gap(text, start)
    after_break = j == 0 or tail.endswith("\n\n") or text[j - 1] in ".!?:)"
    m = _NEXT.search(text, rest)
    nxt = m.group() if m else ""
    return after_break and (nxt.isupper() or nxt.isdigit() or nxt in "-*+|#>")


#: An inline label that opens a paragraph or list item ("Failure modes: if Redis is slow…",
#: "**Capacity.** 50k RPS…", "- Risk: …"): up to four words, a capital first.
_LABEL = re.compile(
    r"^\s*(?:[-*•+]\s+|\d+[.)]\s+)?(?:\*\*|__)?([A-Z][\w/&()'’ -]{0,40}?)"
    r"(?:(?:\*\*|__)?:|\.(?:\*\*|__)|(?:\*\*|__):?)\s+(?=\S)"
)


#: A line that opens with a clock time ("- 14:24 found the config change", "T+12m paged",
#: "2024-03-02 09:10 rollback") is an entry of a chronology, wherever it stands: it reads
#: as under a timeline, so analysis checks (cause, detection gap, actions) do not pass on it.
_CHRONO = re.compile(
    r"^\s*(?:[-*•+|]\s*|\d+[.)]\s+)?(?:\*\*|__)?(?:\[)?"
    r"(?:(?:19|20)\d\d-\d\d-\d\d[ T]?)?(?:\d{1,2}:\d{2}\b|T\s?[+-]\s?\d)",
)


def _after_blank(text: str, start: int) -> bool:
    """Whether `start` opens a paragraph: the text before it ends in a blank line."""
    j, tail = _gap(text, start)
    return j == 0 or (tail.endswith("\n") and tail.count("\n") >= 2)


def _label(text: str) -> str:
    m = _LABEL.match(text)
    return m.group(1).strip() if m and len(m.group(1).split()) <= 4 else ""


def _section(line: str, before: list[Unit]) -> str:
    """The section a heading line opens. The document's title (a heading of more than three
    words before any content: "Webhook delays, 2025-01-22: five whys") names the whole text,
    not a part of it, so it scopes nothing."""
    name = line.strip("#*_: \t")
    return "" if not before and len(name.split()) > 3 else name


def units(doc: Doc, labels: bool = True) -> list[Unit]:
    """What a check can pass on: sentences, list items and table rows with content, each
    with the heading it stands under (headings themselves pass nothing). A heading begins
    a line: the short first line of a sentence that starts mid-line is prose."""
    content = {s.start for s in doc.content}
    out: list[Unit] = []
    heading = ""
    # A text laid out in labelled paragraphs ("Capacity: ...", "Failure modes: ...") has
    # each label speak for its paragraph; elsewhere a label speaks for its own sentence
    # ("First the requirements: ..." in a one-paragraph answer says nothing of the rest).
    read_label = _label if labels else (lambda _text: "")
    openers = sum(
        1 for x in doc.sentences if read_label(x.text) and _after_blank(doc.text, x.start)
    )
    carry = openers >= 3
    label = ""

    def unit(span: Span) -> Unit:
        nonlocal label
        own = read_label(span.text)
        if own or not carry or _after_blank(doc.text, span.start):
            label = own
        entry = "timeline" if _CHRONO.match(span.text) and "timeline" not in heading.lower() else ""
        return Unit(span, " / ".join(p for p in (heading, label, entry) if p))

    for sentence in doc.sentences:
        first, newline, rest = sentence.text.partition("\n")
        line_start = _starts_line(doc.text, sentence.start)
        if (
            newline
            and line_start
            and _is_heading(first, followed=True)
            and rest.strip()
            and (
                _is_heading(first)
                or _opens_section(doc.text, sentence.start, sentence.start + len(first) + 1)
            )
        ):
            # A heading line the next line was joined to: the heading is context, the rest
            # is the unit.
            heading = _section(first, out)
            offset = sentence.start + len(first) + 1
            body = sentence.text[len(first) + 1 :]
            lead = len(body) - len(body.lstrip())
            out.append(unit(Span(offset + lead, sentence.end, body.lstrip())))
            continue
        if line_start and (
            _is_heading(sentence.text)
            or (
                _is_heading(sentence.text, followed=True)
                and doc.text[sentence.end : sentence.end + 1] == "\n"
                and _opens_section(doc.text, sentence.start, sentence.end)
            )
        ):
            heading = _section(sentence.text, out)
            continue
        if sentence.start in content:
            out.append(unit(sentence))
    return _join_whys(doc.text, out)


#: "3. Why didn't testing catch it?" : a five-whys question, answered by what follows it.
_WHY = re.compile(r"^\s*(?:[-*•+]\s+|\d+[.)]\s+)?(?:\*\*)?why\b[^\n]*\?(?:\*\*)?$", re.I)


def _join_whys(text: str, found: list[Unit]) -> list[Unit]:
    """A five-whys question and its answer on the same line are one unit: the answer says
    why, though it has no "because" ("Why did rev B get it? The targeting rule filters by
    model, not by hardware revision")."""
    out: list[Unit] = []
    for u in found:
        prev = out[-1] if out else None
        if prev and _WHY.match(prev.text) and "\n" not in text[prev.span.end : u.span.start]:
            span = Span(prev.span.start, u.span.end, text[prev.span.start : u.span.end])
            out[-1] = Unit(span, prev.heading)
            continue
        out.append(u)
    return out


def answer_signal(signal: Signal, doc_units: list[Unit]) -> list[CheckAnswer]:
    """Every check of `signal` answered."""
    return [answer(c, doc_units) for c in signal.checks]


def fraction(answers: list[CheckAnswer]) -> float:
    """The weighted share of checks passed (0-1)."""
    total = sum(a.check.weight for a in answers)
    return sum(a.check.weight for a in answers if a.passed) / total if total else 0.0


def score(answers: list[CheckAnswer]) -> int:
    """A signal's 0-4 score from its weighted checks: 4 when all pass, 3 from 69% of the
    weight, 2 from 44%, 1 from any passed check; no passed check scores 0."""
    if not any(a.passed for a in answers):
        return 0
    return max(1, min(4, int(4 * fraction(answers) + 0.25)))
