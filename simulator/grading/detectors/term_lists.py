"""Term lists: names of techniques without what the design does with them or why.

"Token bucket, GCRA, CRDT, sidecar, fail open, 429" and "We use GCRA. We gossip. We use
leases. We fail open." name the right things and explain none of them. The offline engine
reads an answer without such lines (as it does without injections), and an answer made
mostly of them scales down to level 1.
"""

from __future__ import annotations

import re
from functools import lru_cache

from simulator.grading.detectors.base import Finding, saturate
from simulator.grading.lexicon import lexicon
from simulator.grading.text import Doc, Span

_WORD = re.compile(r"[A-Za-z0-9][\w'’-]*")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_DIGIT = re.compile(r"\d")
_ITEM_SPLIT = re.compile(r"[,;]|\band\b|\bor\b", re.IGNORECASE)
#: Link targets and bare URLs are not words of the answer.
_LINK = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|https?://\S+")
#: A list line: at least this many items of at most this many words on average.
_LIST_ITEMS, _ITEM_WORDS = 3, 3.5
#: Clause-free items after a lead-in ("We use ...") and their share of the line's words
#: that still make the line a list.
_LEAD_IN_ITEMS, _LEAD_IN_SHARE = 4, 0.5
#: A bare assertion has at most this many words; this many in a row are a list as prose.
_BARE_WORDS, _BARE_RUN = 6, 4
#: Share of the words in term lists where stuffing starts, and where it is total.
_TERMS_FROM, _TERMS_FULL = 0.5, 0.8


@lru_cache(maxsize=1)
def _clause_pattern() -> re.Pattern[str]:
    return _words_pattern(lexicon()["clause_words"])


@lru_cache(maxsize=1)
def _reason_pattern() -> re.Pattern[str]:
    """A reason word or any figure."""
    return re.compile(rf"{_words_pattern(lexicon()['reason_words']).pattern}|\d", re.IGNORECASE)


def _words_pattern(words: list[str]) -> re.Pattern[str]:
    """Any of `words`, whole, outside hyphenated compounds ("in-process" holds no "in")."""
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def _line_kind(text: str, clause: re.Pattern[str]) -> str | None:
    """ "list" for a comma list of short names, "label" for a bare label, else None.

    A line with a subject, a verb or a reason is a clause, never a list; nor is code, a line
    ending in a colon, or a list with figures in a third of its items ("50k RPS, p99 < 5 ms,
    3 regions" states requirements, not names). A lead-in does not make a clause of a long
    list: "We use token bucket, GCRA, CRDT, gossip and leases" is still names.
    """
    body = _LINK.sub(" ", _BULLET.sub("", text))
    if "`" in body or body.rstrip("*_ ").endswith(":"):
        return None  # code (a schema), or a line that introduces what follows
    items = [i for i in _ITEM_SPLIT.split(body) if _WORD.search(i)]
    if not clause.search(body):
        if len(_WORD.findall(body)) <= 3:
            return "label"
        return "list" if _names(items) else None
    tail = items[1:]
    tail_words = sum(len(_WORD.findall(i)) for i in tail)
    if (
        len(tail) >= _LEAD_IN_ITEMS
        and tail_words >= _LEAD_IN_SHARE * len(_WORD.findall(body))
        and not any(clause.search(i) for i in tail)
        and _names(tail)
    ):
        return "list"
    return None


def _names(items: list[str]) -> bool:
    """Enough short items, few of them figures."""
    if len(items) < _LIST_ITEMS:
        return False
    mean = sum(len(_WORD.findall(i)) for i in items) / len(items)
    figures = sum(bool(_DIGIT.search(i)) for i in items)
    return mean <= _ITEM_WORDS and 3 * figures < len(items)


def _bare(text: str, reason: re.Pattern[str]) -> bool:
    """A prose assertion too short to say why: "We use GCRA." (no reason, figure or label)."""
    if text.startswith("#") or _BULLET.match(text) or ":" in text:
        return False
    return len(_WORD.findall(text)) <= _BARE_WORDS and not reason.search(text)


def _runs(sentences: list[Span], reason: re.Pattern[str]) -> list[Span]:
    """Sentences in runs of at least `_BARE_RUN` bare assertions: a list written as prose."""
    out: list[Span] = []
    run: list[Span] = []
    for sentence in [*sentences, None]:
        if sentence is not None and _bare(sentence.text, reason):
            run.append(sentence)
            continue
        if len(run) >= _BARE_RUN:
            out.extend(run)
        run = []
    return out


def detect(doc: Doc) -> Finding:
    """A 0-1 term-stuffing score (higher is worse): most of the answer is lists of names.

    "Token bucket, GCRA, CRDT, sidecar, fail open, 429" names the right things without saying
    what the design does with them or why, and so does "We use GCRA. We gossip. We use
    leases. We fail open." Lines with a subject, a verb or a reason (see `clause_words` in
    corpus/lexicons.yaml) are never lists, nor is a run of fewer than four bare assertions;
    a few bullet lists among sentences stay under the threshold. The spans are the comma
    lists and the runs: the offline engine reads the answer without them, so names appended
    to a weak answer earn nothing.
    """
    clause_re, reason_re = _clause_pattern(), _reason_pattern()
    total, listed = 0, 0
    spans: list[Span] = []
    sentences = [s for s in doc.prose if not s.text.startswith("#")]  # headings are structure
    runs = {id(s) for s in _runs(sentences, reason_re)}
    for sentence in sentences:
        words = len(_WORD.findall(sentence.text))
        total += words
        kind = _line_kind(sentence.text, clause_re) if words else None
        if id(sentence) in runs:
            kind = "list"
        if kind:
            listed += words
        if kind == "list":
            spans.append(sentence)
    share = listed / total if total else 0.0
    score = saturate(share - _TERMS_FROM, _TERMS_FULL - _TERMS_FROM)
    return Finding(score, spans, f"{share:.0%} of the words in term lists", len(spans))
