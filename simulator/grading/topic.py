"""Is the answer about the question asked? Off-topic answers are capped at 2.

A design answer is read against every known design problem: one that names another
problem's hard parts clearly more than the asked one's answers the other question ("This
answers a URL shortener; the question was a rate limiter"), as does one that reads much
closer (local embeddings) to a bank question about another problem. A behavioral story is
read against its question's theme (`corpus/question_themes.yaml`): none of its theme and
three of another question's, or at most one of its own, two more of another's and closer
(embeddings) to that other question, is off-topic. Other answers are compared by embeddings with the
panel's bank.
Thresholds live in `corpus/calibration.yaml` (`topic`), chosen on the calibration split.
"""

from __future__ import annotations

from functools import lru_cache

import yaml

from simulator.config import CORPUS_DIR
from simulator.grading.calibration import load
from simulator.grading.embedding import encode, window_vectors
from simulator.grading.features import Topic
from simulator.grading.text import Doc
from simulator.knowledge.design import DesignProblem, design_knowledge
from simulator.phrases import matches

_DEFAULT = {
    "design_margin": 0.3,
    "design_covered": 0.5,
    "embed_margin": 0.2,
    "min_relevance": 0.12,
    "theme_hits": 2,
}
THEMES_PATH = CORPUS_DIR / "question_themes.yaml"


@lru_cache(maxsize=1)
def themes() -> dict[str, dict[str, tuple[str, ...]]]:
    """Per panel, each bank question's theme phrases (`corpus/question_themes.yaml`)."""
    if not THEMES_PATH.exists():
        return {}
    data = yaml.safe_load(THEMES_PATH.read_text(encoding="utf-8")) or {}
    return {
        panel: {q.strip(): tuple(str(p) for p in cues) for q, cues in questions.items()}
        for panel, questions in data.items()
    }


def _settings() -> dict[str, float]:
    return {**_DEFAULT, **load().get("topic", {})}


def part_coverage(doc: Doc, problem: DesignProblem) -> float:
    """How much of the problem's hard parts the answer names: a part counts fully with two
    distinct cues, half with one (a single common word such as "heap" is weak evidence)."""
    text = doc.content_text
    parts = problem.hard_parts
    return sum(min(2, len(matches(text, p.cues))) / 2 for p in parts) / len(parts)


@lru_cache(maxsize=1024)
def _problem_of(question: str) -> DesignProblem | None:
    """`problem_for` once per question text: the bank is read on every design grade, and the
    design problems are loaded once per process."""
    from simulator.grading.detectors.mechanism import problem_for

    return problem_for(question)


def read_design(doc: Doc, asked: DesignProblem, question: str, bank: list[str]) -> Topic:
    """A design answer against every known problem and the panel's other questions.

    Off-topic when another problem's hard parts are named clearly more than the asked
    one's, or when the answer reads much closer to a bank question about another problem.
    """
    s = _settings()
    own = part_coverage(doc, asked)
    others = [
        (part_coverage(doc, p), p)
        for p in design_knowledge().problems
        if p.id != asked.id and not p.generic
    ]
    best, other = max(others, key=lambda t: t[0], default=(0.0, None))
    if other is not None and best - own >= s["design_margin"]:
        return Topic(True, answered=other.name, asked=asked.name, relevance=own)
    if own >= s["design_covered"]:
        # It names most of the asked problem's hard parts: on topic, no embedding needed.
        return Topic(False, asked=asked.name, relevance=own)
    unrelated = [q for q in bank if _problem_of(q) is not asked and _problem_of(q) is not None]
    by_embedding = read_question(doc, question, unrelated, margin=s["embed_margin"])
    if by_embedding.offtopic and by_embedding.answered:
        answered = _problem_of(by_embedding.answered)
        name = answered.name if answered else by_embedding.answered
        return Topic(True, answered=name, asked=asked.name, relevance=by_embedding.relevance)
    return Topic(False, asked=asked.name, relevance=own)


def read_question(
    doc: Doc, question: str, bank: list[str], *, margin: float | None = None
) -> Topic:
    """Any answer against its question and the other questions of its bank (embeddings)."""
    s = _settings()
    margin = s["embed_margin"] if margin is None else margin
    answer = window_vectors(doc, [])
    if answer is None:
        return Topic(True, asked=question, relevance=0.0)
    others = [q for q in bank if q.strip().lower() != question.strip().lower()]
    vectors = encode([question, *others])
    sims = (answer @ vectors.T).max(axis=0)
    own = float(sims[0])
    if own < s["min_relevance"]:
        return Topic(True, asked=question, relevance=own)
    if others:
        i = int(sims[1:].argmax())
        if float(sims[1 + i]) - own >= margin:
            return Topic(True, answered=others[i], asked=question, relevance=own)
    return Topic(False, asked=question, relevance=own)


def read_theme(doc: Doc, question: str, panel_themes: dict[str, tuple[str, ...]]) -> Topic | None:
    """A story against its bank question's theme (None: the question has no theme on file)."""
    asked = panel_themes.get(question.strip())
    if asked is None:
        return None
    text = doc.content_text
    own = len(matches(text, asked))
    hits = [
        (len(matches(text, cues)), q) for q, cues in panel_themes.items() if q != question.strip()
    ]
    count, other = max(hits, default=(0, None))
    if other is None or own > 1 or count < own + _settings()["theme_hits"]:
        return Topic(False, asked=question, relevance=1.0 if own else 0.5)
    if own == 0 and count >= _settings()["theme_hits"] + 1:
        # None of its own theme and three of another's: that is the other question's story.
        return Topic(True, answered=other, asked=question, relevance=0.0)
    # Two readings must agree: the other question's theme, and the answer reading closer to
    # the other question than to its own.
    answer = window_vectors(doc, [])
    if answer is None:
        return Topic(True, asked=question, relevance=0.0)
    sims = (answer @ encode([question, other]).T).max(axis=0)
    if float(sims[1]) > float(sims[0]):
        return Topic(True, answered=other, asked=question, relevance=float(sims[0]))
    return Topic(False, asked=question, relevance=float(sims[0]))


def read(
    doc: Doc,
    question: str | None,
    problem: DesignProblem | None,
    bank: list[str],
    panel: str = "",
) -> Topic:
    """The answer against its question (no question: nothing to miss)."""
    if not question:
        return Topic()
    if problem is not None:
        return read_design(doc, problem, question, bank)
    by_theme = read_theme(doc, question, themes().get(panel, {}))
    if by_theme is not None:
        return by_theme
    return read_question(doc, question, bank)


def pitfall(topic: Topic) -> str:
    """The off-topic pitfall as the user reads it."""
    if topic.answered:
        return (
            f'Off-topic: this answers "{topic.answered}"; the question was "{topic.asked}" '
            "(capped at 2)."
        )
    return "Off-topic: the answer does not address the question asked (capped at 2)."
