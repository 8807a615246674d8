"""Rambling: overlong answers and blow-by-blow chronology."""

from __future__ import annotations

from simulator.grading.detectors.base import Finding, saturate
from simulator.grading.lexicon import lexicon
from simulator.grading.text import Doc, sentences_with

#: Past this many words an interview answer is long; artifacts get more room.
LONG_WORDS = 450


def detect(doc: Doc, long_words: int = LONG_WORDS) -> Finding:
    """A 0-1 rambling score (higher is worse): chronology density and excess length."""
    chrono = sentences_with(doc, lexicon()["chronology"])
    n = max(len(doc.sentences), 1)
    density = len(chrono) / n
    excess = saturate(doc.word_count - long_words, long_words)
    score = min(1.0, 0.6 * saturate(density, 0.35) * saturate(len(chrono), 4) + 0.4 * excess)
    return Finding(
        score,
        chrono[:4],
        f"{len(chrono)} chronology sentences, {doc.word_count} words",
        len(chrono),
    )


def hedging(doc: Doc) -> Finding:
    """Hedges and non-answers ("I think", "I don't know"), as a 0-1 share of sentences."""
    hedged = sentences_with(doc, lexicon()["hedges"])
    return Finding(
        len(hedged) / max(len(doc.sentences), 1),
        hedged[:4],
        f"{len(hedged)} hedged sentences",
        len(hedged),
    )
