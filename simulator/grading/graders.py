"""The two grading entry points, `critique` and `grade_answer`, with engine choice and input checks."""

from __future__ import annotations

import re

from simulator.config import get_settings
from simulator.errors import UserError
from simulator.grading.grade import Grade
from simulator.grading.offline import offline_grader
from simulator.knowledge.rubrics import get_artifact_rubric, get_panel
from simulator.textio import check_text

#: Past this many words only the beginning is graded (and the grade says so).
MAX_WORDS = 6000
_QUESTION_LINE = re.compile(r"^\s*#*\s*Question:\s*(.+?)\s*$", re.IGNORECASE)


def _prepare(text: str, name: str) -> tuple[str, str | None]:
    check_text(text, name)
    words = list(re.finditer(r"\S+", text))
    if len(words) <= MAX_WORDS:
        return text, None
    cut = words[MAX_WORDS - 1].end()
    note = f"Only the first {MAX_WORDS} of {len(words)} words were graded; trim it to what matters."
    return text[:cut], note


def split_question(text: str) -> tuple[str | None, str]:
    """A leading `# Question: ...` line, and the answer after it."""
    first, _, rest = text.partition("\n")
    m = _QUESTION_LINE.match(first)
    return (m.group(1), rest) if m else (None, text)


def _title(text: str) -> str | None:
    """A leading markdown title (`# Design Pastebin`) stands in for a missing question."""
    for line in text.lstrip().splitlines()[:1]:
        m = re.match(r"^#{1,2}\s+(.{8,200}?)\s*#*\s*$", line)
        if m:
            return m.group(1)
    return None


def _engine(engine: str | None):
    name = engine or get_settings().engine_name
    if name == "offline":
        return offline_grader()
    from simulator.grading.llm import llm_grader

    return llm_grader(name)


def critique(
    kind: str, text: str, *, engine: str | None = None, name: str = "the artifact"
) -> Grade:
    """Critique an artifact of `kind` (or `auto`) against its template fields and pitfalls."""
    body, note = _prepare(text, name)
    if kind == "auto":
        from simulator.knowledge.detect import artifact_kind

        kind, _confidence = artifact_kind(body, name)
    rubric = get_artifact_rubric(kind)
    grade = _engine(engine).grade(body, rubric, target="critique", kind=kind)
    if note:
        grade.pitfalls.append(note)
    return grade


def grade_answer(
    panel: str,
    question: str | None,
    text: str,
    *,
    engine: str | None = None,
    name: str = "the answer",
) -> Grade:
    """Grade an interview answer against the panel's evaluation signals."""
    own_question, text = split_question(text)
    question = own_question or question or _title(text)
    if not question:
        raise UserError(
            "Give the question the answer responds to (--question, or a first line `# Question: ...`)."
        )
    rubric = get_panel(panel)
    body, note = _prepare(text, name)
    grade = _engine(engine).grade(body, rubric, target="grade", kind=panel, question=question)
    if note:
        grade.pitfalls.append(note)
    return grade
