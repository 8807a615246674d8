"""A session as a PDF: the scorecard (date, panel, level, per-question grades with their
checks and quotes, hard parts), then the full transcript.

Drawn with fpdf2 in DejaVu Sans, the TrueType font matplotlib ships, so any text a
candidate types (dashes, quotes, accents) prints as typed and nothing is fetched.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from simulator.errors import UserError
from simulator.interview.scorecard import QuestionResult, Scorecard
from simulator.interview.storage import Turn

_FONT = "DejaVu"
_WIDTHS = (30, 13, 60, 10, 67)  # mm: signal, score, check, met, quote (A4 less margins)
_QUOTE_CHARS = 400


def _font_file(style: str = "") -> Path:
    """DejaVu Sans from matplotlib's data folder, found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    name = "DejaVuSans-Bold.ttf" if style == "B" else "DejaVuSans.ttf"
    for folder in spec.submodule_search_locations or [] if spec else []:
        path = Path(folder) / "mpl-data" / "fonts" / "ttf" / name
        if path.is_file():
            return path
    raise UserError(
        "The PDF font (matplotlib's DejaVu Sans) is missing; reinstall with make setup."
    )


def _clip(text: str | None, limit: int = _QUOTE_CHARS) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _Doc:
    """An fpdf2 document with the few styles the scorecard uses."""

    def __init__(self, title: str) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(format="A4")
        self.pdf.set_margins(15, 15, 15)
        self.pdf.set_auto_page_break(True, margin=15)
        self.pdf.add_font(_FONT, "", str(_font_file()))
        self.pdf.add_font(_FONT, "B", str(_font_file("B")))
        self.pdf.set_title(title)
        self.pdf.set_creator("StaffSim")
        self.pdf.add_page()

    def heading(self, text: str, size: int = 13) -> None:
        self.pdf.ln(2)
        self.pdf.set_font(_FONT, "B", size)
        self.pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def para(self, text: str, *, bold: bool = False, size: int = 10) -> None:
        self.pdf.set_font(_FONT, "B" if bold else "", size)
        self.pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")

    def items(self, lines: list[str]) -> None:
        for line in lines:
            self.para(f"• {line}")

    def table(self, head: tuple[str, ...], rows: list[tuple[str, ...]], widths) -> None:
        self.pdf.set_font(_FONT, "", 8)
        with self.pdf.table(
            col_widths=widths, text_align="LEFT", line_height=4, first_row_as_headings=True
        ) as table:
            for values in [head, *rows]:
                row = table.row()
                for value in values:
                    row.cell(value)
        self.pdf.ln(2)


def _question(doc: _Doc, q: QuestionResult) -> None:
    doc.heading(f"Question {q.index + 1}: {q.level} ({q.score}/5)", 12)
    doc.para(q.question, bold=True)
    notes = [f"design problem: {q.problem}"] if q.problem else []
    if q.source == "own":
        notes.append("your own question")
    notes.append(f"{q.answers} answer(s)")
    if q.not_counted:
        notes.append(f"{q.not_counted} off-topic attempt(s) retried, not counted")
    doc.para("; ".join(notes), size=9)
    for cap in q.caps:
        doc.para(f"Cap: {cap}", size=9)
    rows = []
    for s in q.signals:
        for n, c in enumerate(s.checks):
            if c.evidence:
                quote = f"“{_clip(c.evidence)}”"
            elif c.near:
                quote = f"nearly: “{_clip(c.near)}” ({c.why})"
            else:
                quote = "not found"
            first = n == 0
            rows.append(
                (
                    s.name if first else "",
                    f"{s.score}/4" if first else "",
                    c.question,
                    "yes" if c.passed else "no",
                    quote,
                )
            )
    if rows:
        doc.pdf.ln(1)
        doc.table(("Signal", "Score", "Check", "Met", "From your answers"), rows, _WIDTHS)
    if q.hard_parts:
        doc.para(f"Hard parts of question {q.index + 1} ({q.problem})", bold=True)
        doc.items(
            [
                f"{p.name}: {p.state}" + (f" — “{_clip(p.evidence)}”" if p.evidence else "")
                for p in q.hard_parts
            ]
        )


def render_pdf(card: Scorecard, transcript: list[Turn], *, in_progress: bool = False) -> bytes:
    """The scorecard and the transcript as a PDF document."""
    doc = _Doc(f"StaffSim scorecard — {card.panel} ({card.level})")
    doc.heading(f"Scorecard — {card.panel} ({card.level})", 16)
    doc.para(
        (f"{card.date} · " if card.date else "")
        + f"Session {card.session}: {card.questions_answered} question(s), "
        f"{card.answers} answer(s)."
    )
    doc.para(
        f"Overall: {card.recommendation} ({card.score}/5)"
        + (f" — {card.overall}" if card.overall else ""),
        bold=True,
    )
    if card.hire:
        doc.para(f"Bar-raiser: {card.hire.decision}. " + " ".join(card.hire.reasons))
    for q in card.questions:
        _question(doc, q)
    doc.heading("Signals over the session", 12)
    doc.table(
        ("Signal", "Weight", "Best", "Mean"),
        [(s.name, f"{s.weight:g}", f"{s.best}/4", f"{s.mean:.1f}") for s in card.signals],
        (80, 30, 35, 35),
    )
    doc.heading(f"Strengths (mean at least {card.bar}/4, the {card.level} bar)", 12)
    doc.items(card.strengths or ["(none at the bar yet)"])
    doc.heading("Gaps", 12)
    doc.items(card.gaps or ["(none)"])
    doc.heading("Study next", 12)
    doc.items([f"{i.section}: {i.citation}" for i in card.study] or ["(nothing flagged)"])
    if card.flags:
        doc.heading("Notes", 12)
        doc.items(card.flags)
    doc.heading("Transcript", 14)
    for turn in transcript:
        who = "Interviewer" if turn.role == "interviewer" else "Candidate"
        tag = f" (probes {turn.probes})" if turn.kind == "follow_up" and turn.probes else ""
        doc.para(who + tag, bold=True, size=9)
        doc.para(turn.text)
        doc.pdf.ln(1.5)
    if in_progress:
        doc.para(f"Session {card.session} is still in progress.", size=9)
    v = card.versions
    doc.pdf.ln(2)
    doc.para(
        f"rubric {v.rubric}; engine {v.engine}; texts {v.texts}"
        + (f"; prompts {', '.join(v.prompts)}" if v.prompts else "")
        + (f"; models {', '.join(v.grader_models)}" if v.grader_models else ""),
        size=7,
    )
    return bytes(doc.pdf.output())
