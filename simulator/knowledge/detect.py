"""Which artifact kind a text is, and whether it is an artifact at all.

The kind comes from the `markers` phrases of the artifact rubrics, plus the kind's template
sections (its markers and `fields`) found as headings or `Label:` lines. A text counts as an
artifact only when it shows that structure (or, written as prose, strong and broad marker
evidence); anything else is refused with one sentence saying what it reads like instead.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from simulator.errors import UserError
from simulator.knowledge.rubrics import RubricError, get_panel, load_artifact_rubrics
from simulator.phrases import FENCED, matches

#: The kind returned when no marker matches.
FALLBACK_KIND = "general"

#: An artifact shows at least this many of its kind's sections as headings or labels ...
MIN_SECTIONS = 2
#: ... and the margin-and-evidence confidence of `detect_kind` reaches this.
MIN_CONFIDENCE = 0.5
#: Without sections (prose), it needs this many distinct markers, this confidence, and
#: cue words for this share of the kind's signals, in a text with few headings of its own.
PROSE_MARKERS, PROSE_CONFIDENCE, PROSE_COVERAGE, PROSE_MAX_HEADINGS = 3, 0.6, 0.6, 2
#: Lines ending in `?` (or `| Design ...` table rows): this many, and this share, is a question bank.
QUESTION_LINES, QUESTION_SHARE = 8, 0.3
#: This share of non-blank lines outside code fences looking like code is source code.
CODE_SHARE = 0.25
#: System-design panel signals touched, and distinct cues used, by a design answer.
DESIGN_SIGNALS, DESIGN_CUES = 6, 15

#: What a refused text reads like instead (`Detection.refused`; "" when nothing in particular).
CODE = "source code"
QUESTIONS = "a list of interview questions"
DESIGN = "a system-design interview answer"

#: How the refusal says to force a kind (`{kind}`, `{name}`) and to grade a design (`{name}`).
CLI_FORCE = "to critique it anyway, pass the kind, e.g. `staffsim critique {kind} {name}`"
CLI_DESIGN = (
    "grade it with `staffsim grade system-design {name}` "
    "(its `# Title` or --question gives the question)"
)

_ATX = re.compile(r"^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_SETEXT = re.compile(r"^ {0,3}(?:=+|-+)\s*$")
_BOLD = re.compile(r"^\s*(?:[-*+]\s+)?(?:\*\*|__)(.{2,80}?)(?:\*\*|__)")
_LABEL = re.compile(r"^\s*(?:[-*+]\s+)?([A-Za-z][A-Za-z0-9 /&'-]{1,40}?)\s*:(?:\s|$)")
_FRONT_MATTER = re.compile(r"\A\s*(---|\+\+\+)\n.*?\n\1[ \t]*\n", re.DOTALL)
_NUMBERING = re.compile(r"^(?:step )?\d+(?: \d+)* ")
_QUESTION = re.compile(r"\?[*\"”')\s]*(?:\|.*)?$|^\|\s*(?:design|how|what|why)\b", re.IGNORECASE)
_CODE = re.compile(
    r"^\s*(?:def |class |import |from [\w.]+ import |return\b|raise |async |await |@\w|#include"
    r"|function\b|const |let |var |public |private |package |func |(?:el)?if\b.*:$|else:$"
    r"|for .*:$|try:$|except\b|with .*:$|[\w.\[\]\"']+\s*[-+*/]?=\s|[)\]}]+[;,]?$|.*[;{]$)"
)


@dataclass(frozen=True)
class Detection:
    """The best-matching kind, how sure, its sections found, and why it is not an artifact."""

    kind: str
    confidence: float
    sections: tuple[str, ...] = ()
    refused: str | None = None  # None for an artifact, else CODE, QUESTIONS, DESIGN or ""

    @property
    def is_artifact(self) -> bool:
        return self.refused is None


def _norm(phrase: str) -> str:
    """Lower case words only, leading numbering (`2.`, `Step 1:`) dropped."""
    words = re.sub(r"[^a-z0-9]+", " ", phrase.lower()).strip()
    return _NUMBERING.sub("", words)


def _rubrics() -> dict:
    try:
        return load_artifact_rubrics()
    except RubricError:
        return {}


@lru_cache(maxsize=1)
def _patterns() -> dict[str, list[re.Pattern[str]]]:
    # The word-start check follows the literal (`x(?<!\wx)`, same as `(?<!\w)x`) so that
    # the regex engine can scan for the literal, about ten times faster.
    return {
        kind: [
            re.compile(f"{m}(?<!\\w{m})(?!\\w)")
            for m in (re.escape(m.lower().strip()) for m in rubric.markers if m.strip())
        ]
        for kind, rubric in _rubrics().items()
    }


def _field_heads(field: str) -> list[str]:
    """`Risk & Mitigations (...)` -> `risk`, `mitigations`: the names a section may go by."""
    parts = re.split(r"[:,/&|+×→]", re.sub(r"\(.*?\)", " ", field))
    return [n for n in map(_norm, parts) if len(n) >= 3]


@lru_cache(maxsize=1)
def _section_names() -> dict[str, list[tuple[str, ...]]]:
    """Each kind's section names (markers and template field heads) as stems, longest first."""
    names = {}
    for kind, rubric in _rubrics().items():
        found = {_norm(m) for m in rubric.markers}
        for signal in getattr(rubric, "signals", ()):
            for field in signal.fields:
                found.update(_field_heads(field))
        names[kind] = sorted({_stem(n) for n in found if n}, key=lambda n: (-len(n), n))
    return names


def headings(text: str) -> list[str]:
    """Normalised headings (ATX and setext), bold leads and `Label:` starts of lines."""
    lines = FENCED.sub("", _FRONT_MATTER.sub("", text, count=1)).splitlines()
    found = []
    for i, line in enumerate(lines):
        m = _ATX.match(line) or _BOLD.match(line) or _LABEL.match(line)
        if m:
            found.append(_norm(m.group(1)))
        elif i + 1 < len(lines) and _SETEXT.match(lines[i + 1]) and line.strip()[:1].isalnum():
            found.append(_norm(line))
    return [h for h in found if h]


def _stem(words: str) -> tuple[str, ...]:
    """Words with a plural `s` dropped, so `Root causes` names `root cause`."""
    return tuple(_singular(w) for w in words.split())


def _singular(word: str) -> str:
    plural = len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))
    return word[:-1] if plural else word


def section_hits(heads: list[str]) -> dict[str, tuple[str, ...]]:
    """Per kind, the distinct section names that headings start with (the longest for each)."""
    stems = [_stem(h) for h in heads]
    hits = {}
    for kind, names in _section_names().items():
        found = set()
        for head in stems:
            name = next((n for n in names if head[: len(n)] == n), None)
            if name:
                found.add(" ".join(name))
        if found:
            hits[kind] = tuple(sorted(found))
    return hits


def marker_scores(text: str) -> dict[str, float]:
    """Each kind's score: distinct markers found, plus a damped bonus for repeats."""
    lowered = text.lower()
    scores: dict[str, float] = {}
    for kind, patterns in _patterns().items():
        score = 0.0
        for pattern in patterns:
            count = len(pattern.findall(lowered))
            if count:
                score += 1.0 + math.log(count)
        if score:
            scores[kind] = score
    return scores


def _confidence(scores: dict[str, float]) -> tuple[str, float]:
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    best_kind, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    # Confidence grows with the margin over the runner-up and with the evidence itself.
    margin = (best - runner_up) / best
    evidence = 1.0 - math.exp(-best / 3.0)
    return best_kind, round(0.5 * margin + 0.5 * evidence, 3)


def _share(lines: list[str], pattern: re.Pattern[str]) -> tuple[int, float]:
    hits = sum(bool(pattern.search(line)) for line in lines)
    return hits, hits / len(lines) if lines else 0.0


def _design_answer(text: str) -> bool:
    try:
        signals = get_panel("system-design").signals
    except RubricError:
        return False
    touched = [matches(text, s.cues) for s in signals]
    return (
        sum(map(bool, touched)) >= DESIGN_SIGNALS
        and len({c for cues in touched for c in cues}) >= DESIGN_CUES
    )


def _refusal(text: str, sections: int) -> str | None:
    """What a text reads like when that rules out an artifact: code, or a question bank."""
    body = FENCED.sub("", text)
    code_lines = [line for line in body.splitlines() if line.strip()]
    if code_lines and _share(code_lines, _CODE)[1] >= CODE_SHARE:
        return CODE
    lines = [line.strip() for line in body.splitlines() if len(line.split()) >= 4]
    questions, share = _share(lines, _QUESTION)
    # A well-sectioned artifact (a design review checklist) may hold many questions.
    if questions >= QUESTION_LINES and share >= QUESTION_SHARE and sections <= MIN_SECTIONS:
        return QUESTIONS
    return None


def _prose_artifact(text: str, kind: str, confidence: float, heads: list[str]) -> bool:
    """Strong, broad marker evidence in a text with (almost) no headings of its own."""
    signals = getattr(_rubrics().get(kind), "signals", ())
    if not signals or len(heads) > PROSE_MAX_HEADINGS or confidence < PROSE_CONFIDENCE:
        return False
    lowered = text.lower()
    if sum(bool(p.search(lowered)) for p in _patterns()[kind]) < PROSE_MARKERS:
        return False
    covered = sum(bool(matches(text, s.cues)) for s in signals)
    return covered >= PROSE_COVERAGE * len(signals)


def detect(text: str) -> Detection:
    """The best kind by markers plus sections found, and whether the text is an artifact."""
    heads = headings(text)
    hits = section_hits(heads)
    scores = marker_scores(text)
    for kind, names in hits.items():
        scores[kind] = scores.get(kind, 0.0) + len(names)
    if not scores:
        return Detection(FALLBACK_KIND, 0.0, refused=_refusal(text, 0) or "")
    kind, confidence = _confidence(scores)
    sections = hits.get(kind, ())
    refused = _refusal(text, len(sections))
    if refused is None:
        if len(sections) >= MIN_SECTIONS and confidence >= MIN_CONFIDENCE:
            return Detection(kind, confidence, sections)
        if _prose_artifact(text, kind, confidence, heads):
            return Detection(kind, confidence, sections)
        refused = DESIGN if _design_answer(text) else ""
    return Detection(kind, confidence, sections, refused)


def detect_kind(text: str) -> tuple[str, float]:
    """The best-matching kind and a confidence in [0, 1]; (`general`, 0.0) when nothing matches."""
    found = detect(text)
    return found.kind, found.confidence


def _example_sections(kind: str) -> str:
    """A few of the kind's template section names, as the compendium spells them."""
    rubric = _rubrics().get(kind)
    fields = [f for s in getattr(rubric, "signals", ()) for f in s.fields]
    heads = dict.fromkeys(re.split(r"\s*[(:]|\s/\s", f)[0].strip() for f in fields)
    return ", ".join([h for h in heads if h and h != "For Each"][:3])


def refusal_sentence(
    found: Detection, name: str, *, force: str = CLI_FORCE, design: str = CLI_DESIGN
) -> str:
    """One sentence: not an artifact, what it reads like instead, and how to force a kind."""
    file = name if name and not any(c.isspace() for c in name) else "FILE"
    known = found.kind != FALLBACK_KIND
    how = force.format(kind=found.kind if known else "adr", name=file)
    closest = f"closest kind: {found.kind}, confidence {found.confidence:.2f}"
    if not known:
        why = " (no artifact vocabulary or sections found)"
    elif found.refused == DESIGN:
        why = f": it reads like {found.refused}, so {design.format(name=file)}"
    elif found.refused == CODE:
        why = f": it reads like {found.refused}"
    elif found.refused:
        why = f": it reads like {found.refused} ({closest})"
    else:
        why = (
            f" ({closest}, but an artifact shows its sections, such as "
            f"{_example_sections(found.kind)}, as headings or `Label:` lines)"
        )
    return f"{name} does not look like any compendium artifact{why}; {how}."


def artifact_kind(
    text: str,
    name: str = "the text",
    *,
    force: str = CLI_FORCE,
    design: str = CLI_DESIGN,
) -> tuple[str, float]:
    """The kind of an artifact and the confidence; `UserError` with one sentence otherwise."""
    found = detect(text)
    if not found.is_artifact:
        raise UserError(refusal_sentence(found, name, force=force, design=design))
    return found.kind, found.confidence
