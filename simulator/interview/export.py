"""Exporting a session: its scorecard and transcript as Markdown, JSON or PDF."""

from __future__ import annotations

import json

from simulator.errors import UserError
from simulator.interview.session import Interview


def export_text(iv: Interview, fmt: str) -> str:
    """The session as `md` or `json` text (the scorecard covers the answers so far)."""
    if fmt == "json":
        data = iv.to_dict()
        data["scorecard"] = iv.scorecard().model_dump(mode="json")
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt != "md":
        raise UserError(f"Unknown export format {fmt!r}; use md, json or pdf.")
    card = iv.scorecard()
    lines = [card.to_markdown().rstrip(), "", "## Transcript", ""]
    for turn in iv.transcript:
        who = "Interviewer" if turn.role == "interviewer" else "Candidate"
        tag = f" _(probes {turn.probes})_" if turn.kind == "follow_up" and turn.probes else ""
        lines.append(f"**{who}**{tag}: " + turn.text.replace("\n", "\n> ") + "\n")
    if not iv.done:
        lines.append(f"_Session {iv.id} is still in progress._\n")
    return "\n".join(lines)


FORMATS = ("md", "json", "pdf")


def export_bytes(iv: Interview, fmt: str) -> bytes:
    """The session as a file's bytes: `md` and `json` as UTF-8 text, `pdf` as a PDF."""
    if fmt == "pdf":
        from simulator.interview.pdf import render_pdf

        return render_pdf(iv.scorecard(), list(iv.transcript), in_progress=not iv.done)
    return export_text(iv, fmt).encode("utf-8")
