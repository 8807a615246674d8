"""Stuffing: many figures, or many names of techniques, with little substance around them."""

from __future__ import annotations

import re
from functools import lru_cache

from simulator.grading.detectors import failure_modes, ownership, quantification, tradeoffs
from simulator.grading.detectors.base import Finding, saturate
from simulator.grading.lexicon import lexicon
from simulator.grading.text import Doc, Span

_WORD = re.compile(r"[A-Za-z0-9][\w'’-]*")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_ITEM_SPLIT = re.compile(r"[,;/]|\band\b|\bor\b", re.IGNORECASE)
#: A list line: at least this many items of at most this many words on average.
_LIST_ITEMS, _ITEM_WORDS = 3, 3.5
#: Share of the words in term lists where stuffing starts, and where it is total.
_TERMS_FROM, _TERMS_FULL = 0.5, 0.8


def detect(doc: Doc) -> Finding:
    """A 0-1 stuffing score (higher is worse): dense numbers, few actions or reasons."""
    numbers = quantification.numeric_tokens(doc)
    if numbers < 6:
        return Finding(0.0, [], "few numbers", numbers)
    density = numbers / max(doc.word_count, 1)
    mine, ours = ownership.counts(doc)
    reasons = tradeoffs.detect(doc).count + failure_modes.detect(doc).count
    because = len(
        re.findall(
            r"\b(?:because|so that|since|which means|to avoid|due to|caused|led to|root cause|"
            r"mitigat\w*|so we|therefore|in order to|trade-?off)\b",
            doc.lower,
        )
    )
    substance = saturate(mine + ours + reasons + because, 8.0)
    score = saturate(density - 0.08, 0.1) * (1.0 - substance)
    return Finding(
        score, [], f"{numbers} numbers, density {density:.2f}, substance {substance:.2f}", numbers
    )


@lru_cache(maxsize=1)
def _clause_pattern() -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in lexicon()["clause_words"])
    return re.compile(rf"\b(?:{words})\b", re.IGNORECASE)


def _is_term_list(text: str, clause: re.Pattern[str]) -> bool:
    """A line of names: a comma list of short items (or a bare label) with no clause in it."""
    body = _BULLET.sub("", text)
    if clause.search(body):
        return False
    items = [i for i in _ITEM_SPLIT.split(body) if _WORD.search(i)]
    if len(_WORD.findall(body)) <= 3:
        return True
    mean = sum(len(_WORD.findall(i)) for i in items) / len(items)
    return len(items) >= _LIST_ITEMS and mean <= _ITEM_WORDS


def terms(doc: Doc) -> Finding:
    """A 0-1 term-stuffing score (higher is worse): most of the answer is lists of names.

    "Token bucket, GCRA, CRDT, sidecar, fail open, 429" names the right things without saying
    what the design does with them or why. Lines with a subject, a verb or a reason (see
    `clause_words` in corpus/lexicons.yaml) are never lists; a few bullet lists among
    sentences stay under the threshold.
    """
    clause_re = _clause_pattern()
    total, listed = 0, 0
    spans: list[Span] = []
    for sentence in doc.prose:
        if sentence.text.startswith("#"):
            continue  # headings are structure, not the answer
        words = len(_WORD.findall(sentence.text))
        total += words
        if words and _is_term_list(sentence.text, clause_re):
            listed += words
            spans.append(sentence)
    share = listed / total if total else 0.0
    score = saturate(share - _TERMS_FROM, _TERMS_FULL - _TERMS_FROM)
    return Finding(score, spans, f"{share:.0%} of the words in term lists", len(spans))
