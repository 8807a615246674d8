"""Prompt injection: text in an answer that tries to steer the grader.

Found spans are reported and blanked out (same length, so offsets hold) before
any grading, which is why an injection can never raise a score.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from simulator.grading.detectors.base import Finding
from simulator.grading.lexicon import lexicon
from simulator.grading.text import Doc, Span

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    lex = lexicon()["injection"]
    found = [("instruction", re.compile(p, re.IGNORECASE)) for p in lex["phrases"]]
    found.append(("fake role line", re.compile(lex["role_line"], re.IGNORECASE | re.MULTILINE)))
    found.append(("fake grade JSON", re.compile(lex["grade_json"], re.IGNORECASE)))
    found.append(("HTML comment", re.compile(lex["html_comment"])))
    return found


def _fold(text: str) -> str:
    """Look-alike letters folded to ASCII, zero-width characters dropped; same length."""
    if text.isascii():
        return text
    table = {ord(ch): _fold_char(ch) for ch in set(text) if ch >= "\x80"}
    return text.translate(table)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if _ZERO_WIDTH.match(ch):
        return " "
    ascii_ch = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    return ascii_ch[:1] if ascii_ch and ascii_ch.isalpha() else ch


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return line_start, len(text) if line_end == -1 else line_end


def detect(doc: Doc) -> Finding:
    """Spans of the answer that address the grader rather than the question."""
    folded = _fold(doc.text)
    hits: list[tuple[int, int, str]] = []
    for what, pattern in _patterns():
        for m in pattern.finditer(folded):
            start, end = m.start(), m.end()
            if what in ("instruction", "fake role line"):
                start, end = _line_bounds(doc.text, start, end)
            hits.append((start, end, what))
    if _ZERO_WIDTH.search(doc.text):
        hits.extend(
            (m.start(), m.end(), "zero-width characters") for m in _ZERO_WIDTH.finditer(doc.text)
        )
    merged: list[list[int]] = []
    for start, end, _ in sorted(hits):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    spans = [Span(s, e, doc.text[s:e]) for s, e in merged]
    kinds = sorted({w for _, _, w in hits})
    note = "steering attempt: " + ", ".join(kinds) if hits else "none"
    return Finding(1.0 if hits else 0.0, spans, note, len(hits))


def blank_out(text: str, spans: list[Span]) -> str:
    """`text` with each span replaced by spaces (offsets of everything else unchanged)."""
    chars = list(text)
    for span in spans:
        for i in range(span.start, span.end):
            if chars[i] not in "\n":
                chars[i] = " "
    return "".join(chars)
