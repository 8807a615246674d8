"""Phrase matching shared by the graders and kind detection: word-boundary phrases with a
trailing `*` wildcard, as the rubric, lexicon and design-problem files write them."""

from __future__ import annotations

import re
from functools import lru_cache

#: A fenced code block (``` or ~~~), from its opening line to its closing one.
FENCED = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$", re.MULTILINE | re.DOTALL)


@lru_cache(maxsize=4096)
def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A case-insensitive word-boundary regex; a trailing `*` matches any word ending."""
    wild = phrase.endswith("*")
    body = re.escape(phrase.rstrip("*").lower()).replace(r"\ ", r"\s+")
    lead = r"(?<![\w])" if phrase[:1].isalnum() else ""
    tail = r"[\w-]*" if wild else (r"(?![\w])" if phrase.rstrip("*")[-1:].isalnum() else "")
    return re.compile(lead + body + tail, re.IGNORECASE)


@lru_cache(maxsize=4096)
def _literal(phrase: str) -> str:
    """The phrase's first word, lowercased: text without it cannot match the phrase."""
    return phrase.rstrip("*").lower().split(" ")[0]


@lru_cache(maxsize=256)
def _lower(text: str) -> str:
    return text.lower()


def _candidates(text: str, phrases: list[str] | tuple[str, ...]):
    """The phrases that occur in `text`, lazily; a substring test skips most regexes."""
    lower = _lower(text)
    for p in phrases:
        if _literal(p) in lower and phrase_pattern(p).search(text):
            yield p


def matches(text: str, phrases: list[str] | tuple[str, ...]) -> list[str]:
    """The phrases that occur in `text`."""
    return list(_candidates(text, phrases))


def contains_any(text: str, phrases: list[str] | tuple[str, ...]) -> bool:
    """Whether any of `phrases` occurs in `text` (same rules as `matches`)."""
    return next(_candidates(text, phrases), None) is not None
