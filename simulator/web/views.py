"""A `Grade` as the page shows it: markdown summary, highlighted evidence, rewrite outline."""

from __future__ import annotations

from simulator.grading import Grade


def grade_markdown(grade: Grade, *, title: str | None = None) -> str:
    """The headline, the signal table, the design problem's hard parts, pitfalls, suggestions
    and sections to study."""
    what = title or (f"{grade.kind} critique" if grade.target == "critique" else grade.kind)
    lines = [f"### {grade.level} — {grade.score}/5 · {what}", ""]
    if grade.injection:
        lines += [
            "> ⚠ The text contains instructions aimed at the grader; they were ignored:",
            *(f'> "{_cell(e.text[:160])}"' for e in grade.injection_findings[:3]),
            "",
        ]
    for cap in grade.caps:
        lines += [f"> {cap}", ""]
    lines += ["| Signal | Score | Feedback |", "|---|---|---|"]
    for s in grade.signals:
        lines.append(f"| {s.name} | {s.score}/4 | {_cell(s.feedback)} |")
    lines += ["", "**Checks**", "", "| Signal | Check | | From your text |", "|---|---|---|---|"]
    for s in grade.signals:
        for c in s.checks:
            mark = "✅ yes" if c.passed else "— no"
            if c.evidence:
                quote = _cell(c.evidence.text)
            elif c.near:
                quote = f"nearly: {_cell(c.near.text[:140])} ({_cell(c.why)})"
            else:
                quote = "not found"
            lines.append(f"| {s.name} | {_cell(c.question)} | {mark} | {quote} |")
    if grade.hard_parts:
        lines += ["", f"**Hard parts of the problem: {_problem_name(grade.problem)}**"]
        lines += ["", "| Hard part | Score | From your answer |", "|---|---|---|"]
        for part in grade.hard_parts:
            quote = _cell(part.evidence[0].text) if part.evidence else "not addressed"
            lines.append(f"| {part.name} | {part.score}/4 | {quote} |")
    if grade.pitfalls:
        lines += ["", "**Pitfalls found**", *(f"- {p}" for p in grade.pitfalls)]
    if grade.suggestions:
        lines += ["", "**Suggestions**", *(f"- {p}" for p in grade.suggestions)]
    if grade.sections:
        lines += ["", "**Study**", *(f"- {c.section}: {c.citation}" for c in grade.sections[:4])]
    stamp = f"engine {grade.engine}" + (f" ({grade.model})" if grade.model else "")
    stamp += f" · rubric {grade.rubric}"
    if grade.fallback:
        stamp += f" · fell back: {grade.fallback}"
    lines += ["", f"<sub>{stamp}</sub>"]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """`text` as one Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _problem_name(problem_id: str | None) -> str:
    from simulator.knowledge.design import design_knowledge

    problem = design_knowledge().problem(problem_id or "")
    return problem.name if problem else problem_id or ""


def highlights(text: str, grade: Grade) -> list[tuple[str, str | None]]:
    """The text cut into segments, each labelled with the ids of the signals it is evidence for."""
    labels: list[list[str]] = [[] for _ in text]
    spans = [(s.id, e) for s in grade.signals for e in s.evidence]
    spans += [("injection", e) for e in grade.injection_findings]
    for name, ev in spans:
        if text[ev.start : ev.end] != ev.text:
            continue  # evidence that does not quote this text verbatim is not drawn
        for i in range(ev.start, min(ev.end, len(text))):
            if name not in labels[i]:
                labels[i].append(name)
    names = [" · ".join(ls) or None for ls in labels]
    segments: list[tuple[str, str | None]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or names[i] != names[start]:
            segments.append((text[start:i], names[start]))
            start = i
    return segments


def rewrite_outline(grade: Grade, template: list[tuple[str, str]], fields: dict[str, list[str]]):
    """A markdown outline: each template field, kept or to rewrite with its signal's advice.

    `template` is (field, detail) pairs; `fields` maps a signal id to the template fields it reads.
    """
    by_field: dict[str, list] = {}
    for s in grade.signals:
        for f in fields.get(s.id, []):
            by_field.setdefault(f.split("(")[0].strip().lower(), []).append(s)
    lines = ["**Rewrite outline**", ""]
    for name, detail in template:
        signals = by_field.get(name.lower(), [])
        head = f"**{name}**" + (f" ({detail})" if detail else "")
        if not signals:
            lines.append(f"1. {head}")
            continue
        weakest = min(signals, key=lambda s: s.score)
        if weakest.score >= 3:
            lines.append(f"1. ✓ {head} — keep it.")
        else:
            lines.append(f"1. ✎ {head} — {weakest.feedback}")
    return "\n".join(lines)
