"""Mechanism soundness of a design answer: the problem's hard parts solved, its traps avoided.

Word lists and embeddings cannot tell a fluent answer built on a mechanism that cannot
work from a sound one. An interviewer can, because they know the problem: what is hard
about a rate limiter, which designs of a metrics pipeline fall over. That knowledge is
data (`corpus/design_problems.yaml`); this detector reads an answer against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import fmean

from simulator.grading.specifics import kinds
from simulator.grading.text import Doc, Span, matches
from simulator.knowledge.design import AntiPattern, DesignProblem, HardPart, design_knowledge
from simulator.phrases import contains_any, phrase_pattern

#: Words just before a trap's mechanism that reject it ("instead of a global lock ...").
_REJECT_BEFORE = (
    "instead of",
    "rather than",
    "avoid*",
    "not",
    "no",
    "never",
    "don't",
    "without",
    "reject*",
    "against",
    "unlike",
    "cannot",
    "can't",
    "doesn't",
    "isn't",
    "won't",
    "shouldn't",
    "prefer this to",
    "prefer it to",
    "better than",
    "compared with",
    "compared to",
)
#: A verdict anywhere in the sentence that the mechanism does not work.
_VERDICT = (
    "would not work",
    "wouldn't work",
    "cannot work",
    "can't work",
    "does not scale",
    "doesn't scale",
    "won't scale",
    "would not scale",
    "too slow",
    "bad idea",
    "anti-pattern",
    "naive*",
    "breaks down",
    "falls over",
    "is a trap",
    "unacceptable",
    "cannot prevent",
    "does not prevent",
    "doesn't prevent",
    "cannot guarantee",
    "nobody wants",
    "not acceptable",
    "too expensive",
    "too costly",
    "prohibitive",
    "unworkable",
    "takes down",
    "takes the index down",
    "blows up",
    "explod*",
    "would fail",
    "will fail",
    "the real problem",
    "the problem is",
    "the danger",
    "the risk",
    "would be cheaper",
    "would be simpler",
    "would be faster",
    "would be easier",
    "cheaper but",
    "simpler but",
    "easier but",
    "faster but",
    "but needs",
    "but takes",
    "but would",
    "but cannot",
    "but can't",
    "but misses",
    "but loses",
    "but breaks",
    "more than an hour",
    "not enough",
    "is not an option",
    "ruled out",
    "we rejected",
    "we considered",
    "is slow",
    "are slow",
    "silently misses",
    "error-prone",
    "too fragile",
)
#: Panels whose questions are design problems (the others ask about people and code).
DESIGN_PANELS = ("system-design", "architecture-deep-dive")
_BEFORE_WORDS = 6
#: The details that make a sentence naming a hard part's cue solve it, not just name it.
_SOLVED_BY = ("causal", "contrast", "quantity", "threshold", "condition")


@dataclass
class PartReading:
    part: HardPart
    score: float
    spans: list[Span] = field(default_factory=list)


@dataclass
class Reading:
    """How an answer stands against the problem it answers (`problem` None: unknown problem)."""

    problem: DesignProblem | None
    parts: list[PartReading] = field(default_factory=list)
    traps: list[tuple[AntiPattern, Span]] = field(default_factory=list)

    @property
    def coverage(self) -> float | None:
        """Mean 0-1 coverage of the hard parts (None when the problem is unknown)."""
        if self.problem is None or not self.parts:
            return None
        return fmean(p.score for p in self.parts)


def problem_for(question: str | None) -> DesignProblem | None:
    """The first problem whose `match` phrases occur in `question` (file order)."""
    if not question:
        return None
    return next((p for p in design_knowledge().problems if matches(question, p.match)), None)


def _rejected(sentence: str, group: tuple[str, ...]) -> bool:
    """Whether the sentence names the mechanism to reject it."""
    if matches(sentence, _VERDICT):
        return True
    starts = [m.start() for p in group if (m := phrase_pattern(p).search(sentence))]
    before = sentence[: min(starts)].split()[-_BEFORE_WORDS:] if starts else []
    return bool(matches(" ".join(before), _REJECT_BEFORE))


def traps(doc: Doc, patterns: tuple[AntiPattern, ...]) -> list[tuple[AntiPattern, Span]]:
    """Anti-patterns an answer proposes: one sentence hits every phrase group, not to reject it."""
    found: list[tuple[AntiPattern, Span]] = []
    for pattern in patterns:
        for sentence in doc.content:
            if all(matches(sentence.text, g) for g in pattern.when) and not _rejected(
                sentence.text, pattern.when[0]
            ):
                found.append((pattern, sentence))
                break
    return found


def detect(doc: Doc, problem: DesignProblem | None) -> Reading:
    """Read `doc` against `problem` (see `problem_for`); only generic traps when None.

    A hard part is a check of the design panels: it is solved (1.0) when one sentence names
    one of its cues with a reason, a figure, a condition or the alternative it beats, and
    touched (0.5) when its cues are only named ("We use GCRA." touches the algorithm part).
    Embedding similarity to the part's description was tried as well and ranked the
    calibration answers worse (Spearman 0.51 vs 0.58): fluent answers that circle a hard
    part sound like they solve it.
    """
    generic = design_knowledge().generic_anti_patterns
    if problem is None:
        return Reading(None, traps=traps(doc, generic))
    parts: list[PartReading] = []
    tests = kinds()
    for part in problem.hard_parts:
        named = [s for s in doc.content if contains_any(s.text, part.cues)]
        solved = [s for s in named if any(tests[k](s.text) for k in _SOLVED_BY)]
        score = 1.0 if solved else (0.5 if named else 0.0)
        parts.append(PartReading(part, score, (solved or named)[:2]))
    return Reading(problem, parts, traps(doc, problem.anti_patterns + generic))
