"""Degraded copies of real documents: markdown sections removed by heading title."""

from __future__ import annotations

import re

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def headings(text: str) -> list[tuple[int, int, str]]:
    """(line index, level, title) of each markdown heading outside code fences."""
    out, fenced = [], False
    for i, line in enumerate(text.split("\n")):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        m = None if fenced else _HEADING.match(line)
        if m:
            out.append((i, len(m.group(1)), m.group(2).strip()))
    return out


def title(text: str) -> str | None:
    """The first heading's title, e.g. the design question of a system-design answer."""
    found = headings(text)
    return found[0][2] if found else None


def degrade(text: str, patterns: list[str]) -> tuple[str, list[str]]:
    """`text` without the sections (and their subsections) whose title matches a pattern.

    Returns the degraded text and the titles removed; the document's title heading
    (the first, at the top level used) is never removed.
    """
    regexes = [re.compile(p, re.IGNORECASE) for p in patterns]
    lines = text.split("\n")
    found = headings(text)
    drop: set[int] = set()
    removed: list[str] = []
    for n, (start, level, name) in enumerate(found):
        if n == 0 or start in drop or not any(r.search(name) for r in regexes):
            continue
        end = next((i for i, lv, _ in found[n + 1 :] if lv <= level), len(lines))
        drop.update(range(start, end))
        removed.append(name)
    kept = [line for i, line in enumerate(lines) if i not in drop]
    return "\n".join(kept), removed
