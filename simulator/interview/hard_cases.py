"""Answers that need a special reply: empty, "I don't know", not English, far too long."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from simulator.interview.texts import load_texts

_WORD = re.compile(r"\S+")
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True)
class Screened:
    """What the interviewer should make of an answer before grading it."""

    kind: str  # empty | dont_know | non_english | ok
    text: str  # the part to grade (cut when too long)
    words: int
    truncated: bool = False


@lru_cache(maxsize=1)
def _dont_know() -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in load_texts().hard_cases.dont_know_patterns]


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return frozenset(load_texts().hard_cases.stopwords.split())


def is_dont_know(text: str) -> bool:
    """A short answer that says the candidate does not know."""
    rules = load_texts().hard_cases
    if len(text.split()) > rules.dont_know_max_words or re.search(r"\d", text):
        return False  # "I don't know the exact number, but p99 was 40 ms" is an answer
    fillers = "|".join(re.escape(f) for f in rules.dont_know_fillers)
    core = re.sub(rf"^(\W*\b({fillers})\b)+\W*", "", text.strip(), flags=re.IGNORECASE)
    return any(p.search(core) for p in _dont_know())


def looks_non_english(text: str) -> bool:
    """Cheap check: few ASCII letters, or few common English words, means not English."""
    rules = load_texts().hard_cases
    letters = _LETTERS.findall(text)
    # Scripts without spaces (Chinese, Japanese) have few "words" but many letters.
    if len(letters) >= 12:
        ascii_share = sum(1 for c in letters if c.isascii()) / len(letters)
        if ascii_share < rules.min_ascii_share:
            return True
    if len(text.split()) < rules.min_words_for_language_check:
        return False
    tokens = [w.strip(".,;:!?()[]\"'-*").lower() for w in text.split()]
    tokens = [t for t in tokens if t]
    if not tokens:
        return False
    stop = _stopwords()
    return sum(1 for t in tokens if t in stop) / len(tokens) < rules.min_stopword_share


def screen(text: str) -> Screened:
    """Classify an answer and cut it to the graded length."""
    words = list(_WORD.finditer(text))
    if not words:
        return Screened("empty", "", 0)
    if is_dont_know(text):
        return Screened("dont_know", text, len(words))
    limit = load_texts().hard_cases.max_answer_words
    truncated = len(words) > limit
    graded = text[: words[limit - 1].end()] if truncated else text
    # The language check reads the start only: cheap on a 20,000-word paste.
    if looks_non_english(text[: words[min(len(words), 300) - 1].end()]):
        return Screened("non_english", graded, len(words), truncated)
    return Screened("ok", graded, len(words), truncated)
