"""Heading-aware markdown chunking, bounded by tiktoken tokens, keeping each chunk's section path."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from simulator.knowledge.rubrics import KIND_IDS
from simulator.tokens import get_encoding

MAX_TOKENS = 256
MIN_TOKENS = 64
OVERLAP_TOKENS = 32
ENCODING = "cl100k_base"
#: Kind of the compendium's un-numbered sections (cadence, usage guide, backlog, index).
PLAN_KIND = "plan"

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
#: A bold label opening a line (`**Template**:`) starts a sub-section, as in the compendium.
_LABEL = re.compile(r"^\*\*([^*]{1,60}?)\*\*\s*(?:\([^)]*\))?\s*:?")
_NUMBERED = re.compile(r"^(\d+)\.\s")
_RULE = re.compile(r"^\s*(-{3,}|\*{3,}|_{3,})\s*$")


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage and everything a citation needs."""

    id: str
    text: str
    section: str
    kind: str
    source: str
    doc_id: str
    user: str
    sha256: str
    index: int
    tokens: int

    @property
    def embed_text(self) -> str:
        """What BM25 and the embedder see: the section path, then the passage."""
        return f"{self.section}\n{self.text}"

    def metadata(self) -> dict[str, str | int]:
        return {
            "source": self.source,
            "kind": self.kind,
            "section": self.section,
            "top": self.section.split(" > ")[0],
            "user": self.user,
            "doc_id": self.doc_id,
            "sha256": self.sha256,
            "index": self.index,
            "tokens": self.tokens,
        }


@dataclass
class _Block:
    path: tuple[str, ...]
    labels: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _count(text: str) -> int:
    return len(get_encoding(ENCODING).encode(text, disallowed_special=()))


def _blocks(markdown: str) -> list[_Block]:
    """Split on headings and bold labels; a lone H1 is the title and stays out of paths."""
    lines = markdown.replace("\r\n", "\n").split("\n")
    h1s = [ln for ln in lines if ln.startswith("# ")]
    drop_h1 = len(h1s) == 1
    stack: list[tuple[int, str]] = []
    blocks = [_Block(path=())]
    for line in lines:
        heading = _HEADING.match(line)
        if heading:
            level, title = len(heading.group(1)), heading.group(2).strip()
            stack = [(lv, t) for lv, t in stack if lv < level]
            if not (level == 1 and drop_h1):
                stack.append((level, title))
            blocks.append(_Block(path=tuple(t for _, t in stack)))
            continue
        label = _LABEL.match(line)
        if label and stack:
            blocks.append(_Block(path=tuple(t for _, t in stack), labels=[label.group(1).strip()]))
        if _RULE.match(line):
            continue
        blocks[-1].lines.append(line)
    return [b for b in blocks if "\n".join(b.lines).strip()]


def _path(block: _Block) -> str:
    parts = list(block.path) or ["(preamble)"]
    if block.labels:
        parts.append(", ".join(dict.fromkeys(block.labels)))
    return " > ".join(parts)


def _merge_small(blocks: list[_Block], min_tokens: int, max_tokens: int) -> list[_Block]:
    """Fold tiny label blocks into their neighbour under the same heading."""
    merged: list[_Block] = []
    for block in blocks:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.path == block.path
            and _count("\n".join(prev.lines)) < min_tokens
            and _count("\n".join(prev.lines + block.lines)) <= max_tokens
        ):
            prev.labels.extend(block.labels)
            prev.lines.extend(block.lines)
        else:
            merged.append(_Block(block.path, list(block.labels), list(block.lines)))
    return merged


def _windows(lines: list[str], max_tokens: int, overlap: int) -> list[str]:
    """Line-aligned windows of at most `max_tokens`, each opening with ~`overlap` tokens of the last."""
    enc = get_encoding(ENCODING)
    pieces: list[tuple[str, int]] = []
    for line in lines:
        ids = enc.encode(line, disallowed_special=())
        if len(ids) <= max_tokens:
            pieces.append((line, len(ids) + 1))
            continue
        step = max_tokens - overlap
        for start in range(0, len(ids), step):
            part = ids[start : start + max_tokens]
            pieces.append((enc.decode(part), len(part) + 1))
    windows: list[str] = []
    current: list[tuple[str, int]] = []
    for piece in pieces:
        if current and sum(n for _, n in current) + piece[1] > max_tokens:
            windows.append("\n".join(p for p, _ in current).strip())
            tail: list[tuple[str, int]] = []
            for prev in reversed(current):
                if sum(n for _, n in tail) + prev[1] > overlap:
                    break
                tail.insert(0, prev)
            current = tail
        current.append(piece)
    if current:
        windows.append("\n".join(p for p, _ in current).strip())
    return [w for w in windows if w]


def compendium_kind(section: str) -> str:
    """`3. SLO / Reliability Playbook > ...` -> `slo`; un-numbered sections -> `plan`."""
    number = _NUMBERED.match(section)
    if number and 1 <= int(number.group(1)) <= len(KIND_IDS):
        return KIND_IDS[int(number.group(1)) - 1]
    return PLAN_KIND


def chunk_markdown(
    markdown: str,
    *,
    source: str,
    doc_id: str,
    kind: str | None = None,
    user: str = "",
    max_tokens: int = MAX_TOKENS,
    min_tokens: int = MIN_TOKENS,
    overlap: int = OVERLAP_TOKENS,
) -> list[Chunk]:
    """Chunks of a markdown document; with `kind=None` each takes its compendium section's kind."""
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for block in _merge_small(_blocks(markdown), min_tokens, max_tokens):
        section = _path(block)
        for text in _windows(block.lines, max_tokens, overlap):
            sha = hashlib.sha256(f"{section}\n{text}".encode()).hexdigest()
            repeat = seen.get(sha, 0)
            seen[sha] = repeat + 1
            chunk_id = f"{doc_id}:{sha[:16]}" + (f"-{repeat + 1}" if repeat else "")
            chunks.append(
                Chunk(
                    id=chunk_id,
                    text=text,
                    section=section,
                    kind=kind or compendium_kind(section),
                    source=source,
                    doc_id=doc_id,
                    user=user,
                    sha256=sha,
                    index=len(chunks),
                    tokens=_count(text),
                )
            )
    return chunks
