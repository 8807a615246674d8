"""The answer as sentences with character offsets, and phrase matching over it
(`matches`, `phrase_pattern` from `simulator.phrases`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from simulator.phrases import FENCED, contains_any
from simulator.phrases import matches as matches  # re-exported for the graders

_SENTENCE_END = re.compile(
    r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)(?<=[.!?])[\"')\]]*\s+(?=[A-Za-z0-9\"'(\[*])"
)
#: "(S. Ruiz), due ..." and "(K.) edited the record" are one sentence: an initial before a
#: surname or a lower-case word is no sentence end.
_INITIAL = re.compile(r"(?:^|[\s(])[A-Z]\.$")
_SURNAME = re.compile(r"[A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+)?[),;:]")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)*")
_CONTENT_WORDS = 3
_BLOCK_START = re.compile(
    r"^\s*(?:[-*•+]\s|\d+[.)]\s|#|\||>|```|\*\*|\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}|T\s?[+-]"
    r"|[A-Z][\w /&()-]{0,40}:(?:\s|$))"
)
_ENDS_BLOCK = re.compile(r"^\s*(?:#|\|)|.*:\s*$")


@dataclass(frozen=True)
class Span:
    """A verbatim piece of the answer: `text == answer[start:end]`."""

    start: int
    end: int
    text: str


@dataclass
class Doc:
    """The text a grader reads, split into sentences that keep their offsets."""

    text: str

    @cached_property
    def sentences(self) -> list[Span]:
        spans: list[Span] = []
        for start, end in _blocks(self.text):
            body = self.text[start:end]
            cut = 0
            for m in _SENTENCE_END.finditer(body):
                # Only the three characters before the break can hold an initial.
                if _INITIAL.search(body, max(0, m.start() - 3), m.start()) and (
                    _SURNAME.match(body, m.end()) or body[m.end() : m.end() + 1].islower()
                ):
                    continue
                spans.append(_span(self.text, start + cut, start + m.start()))
                cut = m.end()
            spans.append(_span(self.text, start + cut, end))
        return [s for s in spans if s.text and _WORD.search(s.text)]

    @cached_property
    def prose(self) -> list[Span]:
        """Sentences outside fenced code blocks."""
        fences = [(m.start(), m.end()) for m in FENCED.finditer(self.text)]
        return [s for s in self.sentences if not any(a <= s.start < b for a, b in fences)]

    @cached_property
    def content(self) -> list[Span]:
        """Sentences with substance: headings and bare labels (under 3 words) left out."""
        return [s for s in self.sentences if len(_WORD.findall(s.text)) >= _CONTENT_WORDS]

    @cached_property
    def content_text(self) -> str:
        return "\n".join(s.text for s in self.content)

    @cached_property
    def lower(self) -> str:
        return self.text.lower()

    @cached_property
    def words(self) -> list[str]:
        return _WORD.findall(self.text)

    @property
    def word_count(self) -> int:
        return len(self.words)


def _starts_block(line: str) -> bool:
    return bool(_BLOCK_START.match(line))


def _blocks(text: str) -> list[tuple[int, int]]:
    """Character ranges of logical lines: wrapped prose lines join into one paragraph.

    A line starts a new block after a blank line, a heading or table row, or when it is
    itself a list item, heading, table row, quote or `Label:` line.
    """
    blocks: list[tuple[int, int]] = []
    offset = 0
    open_block: list[int] | None = None
    previous = ""
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if not body.strip():
            open_block = None
        elif open_block is None or _starts_block(body) or _ENDS_BLOCK.match(previous):
            open_block = [offset, offset + len(body)]
            blocks.append(open_block)  # type: ignore[arg-type]
        else:
            open_block[1] = offset + len(body)
        previous = body
        offset += len(line)
    return [(a, b) for a, b in blocks]


def _span(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end, text[start:end])


def sentences_with(doc: Doc, phrases: list[str] | tuple[str, ...]) -> list[Span]:
    """Content sentences (not headings or bare labels) containing one of `phrases`."""
    return [s for s in doc.content if contains_any(s.text, phrases)]
