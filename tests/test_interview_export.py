"""Exporting a session: the PDF read back has the scorecard, every question's grade and
checks, and the whole transcript; the CLI writes it and prints grades as it goes."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from simulator import api
from simulator.cli import cli
from simulator.errors import UserError

QUESTION = "Design a URL shortener handling 100M new links a month."
ANSWER = (
    "Requirements first: 100M new links a month is about 40 writes per second and 400 at peak; "
    "reads are 100x that, so 40k redirects per second, with p99 redirect latency under 50 ms. "
    "We chose a key-value store keyed by the code rather than Postgres — “single-key” reads, "
    "café-grade simple; the trade-off is no cross-key transactions."
)
FOLLOW = "If the store fails, each region serves redirects from its cache for 30 minutes."


def _text(data: bytes) -> str:
    """The PDF's text with white space (line wraps included) collapsed."""
    assert data.startswith(b"%PDF-")
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def _words(text: str, n: int = 9) -> str:
    return " ".join(text.split()[:n])


@pytest.fixture
def finished():
    iv = api.start_interview("system-design", questions=2, follow_ups=1, chosen=[QUESTION, "2"])
    iv.start()
    iv.answer(ANSWER)
    iv.answer(FOLLOW)
    iv.skip()
    assert iv.done
    return iv


def test_the_pdf_holds_the_scorecard_each_questions_checks_and_the_transcript(finished):
    card = finished.scorecard()
    text = _text(api.export_session_bytes(finished.id, fmt="pdf"))
    assert text.startswith("Scorecard — system-design (staff)")
    assert card.date and card.date in text and finished.id in text
    assert f"Overall: {card.recommendation} ({card.score}/5)" in text
    (q,) = card.questions  # the second question was skipped: no grade
    assert f"Question 1: {q.level} ({q.score}/5)" in text and QUESTION in text
    assert "design problem: URL shortener" in text
    passed = [c for s in q.signals for c in s.checks if c.passed]
    failed = [c for s in q.signals for c in s.checks if not c.passed]
    assert passed and failed
    for check in passed[:3] + failed[:3]:
        assert _words(check.question, 6) in text
    assert _words(passed[0].evidence) in text  # the quote that passed it
    for part in q.hard_parts:
        assert part.name in text
    # The full transcript: every turn, typographic characters as typed.
    for turn in finished.transcript:
        assert _words(turn.text) in text
    assert "— “single-key” reads, café-grade" in text
    assert (
        "Transcript" in text and "Study next" in text and f"rubric {card.versions.rubric}" in text
    )


def test_a_session_in_progress_exports_what_was_answered_and_says_so():
    iv = api.start_interview("behavioral", questions=2, follow_ups=0)
    iv.start()
    text = _text(api.export_session_bytes(iv.id, fmt="pdf"))
    assert f"Session {iv.id} is still in progress." in text
    assert _words(iv.transcript[-1].text) in text


def test_an_unknown_format_or_session_is_one_sentence(finished):
    with pytest.raises(UserError, match=r"^Unknown export format 'docx'; use md, json or pdf\.$"):
        api.export_session_bytes(finished.id, fmt="docx")
    with pytest.raises(UserError, match="no session"):
        api.export_session_bytes(finished.id, fmt="pdf", user="someone-else")


def test_cli_exports_a_pdf_to_a_file_and_refuses_an_unwritable_one(finished, tmp_path):
    runner = CliRunner()
    out = tmp_path / "card.pdf"
    result = runner.invoke(
        cli, ["sessions", "export", finished.id, "--format", "pdf", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Wrote {out} (")
    assert QUESTION in _text(out.read_bytes())
    with runner.isolated_filesystem(temp_dir=tmp_path):
        result = runner.invoke(cli, ["sessions", "export", finished.id, "--format", "pdf"])
        assert result.exit_code == 0, result.output
        assert f"interview-{finished.id}.pdf" in result.output
    md = runner.invoke(cli, ["sessions", "export", finished.id])
    assert md.exit_code == 0 and "## Transcript" in md.output  # Markdown still on stdout
    bad = tmp_path / "missing-folder" / "card.pdf"
    result = runner.invoke(
        cli, ["sessions", "export", finished.id, "--format", "pdf", "-o", str(bad)]
    )
    assert isinstance(result.exception, UserError)  # `staffsim` prints it as one line
    message = str(result.exception)
    assert message.startswith(f"Cannot write {bad}") and "\n" not in message
    assert not bad.exists()


def _interview(tmp_path, chosen: list[str], answers: list[str], *extra: str):
    script = tmp_path / "answers.md"
    script.write_text("\n---\n".join(answers) + "\n", encoding="utf-8")
    args = ["interview", "--panel", "system-design", "--questions", str(len(chosen))]
    args += ["--follow-ups", "0", "--answers", str(script)]
    for question in chosen:
        args += ["--question", question]
    result = CliRunner().invoke(cli, [*args, *extra])
    assert result.exit_code == 0, result.output
    return result.output


def _graded(output: str) -> list[str]:
    return [line.split(":")[0] for line in output.splitlines() if line.startswith("Grade, ")]


def test_cli_show_grades_prints_each_question_as_the_interview_moves_past_it(tmp_path):
    out = _interview(tmp_path, [QUESTION, "2"], [ANSWER, "/skip"], "--show-grades")
    assert _graded(out) == ["Grade, question 1"]  # the skipped question has no grade
    line = next(x for x in out.splitlines() if x.startswith("Grade, question 1"))
    assert "/5)" in line and "Requirements & problem clarity" in line
    # Printed before the next question is asked, not only in the scorecard at the end.
    assert out.index("Grade, question 1") < out.index("Question 2 of 2")
    last = _interview(tmp_path, ["2", QUESTION], ["/skip", ANSWER], "--show-grades")
    assert _graded(last) == ["Grade, question 2"]  # the last one too, before the scorecard
    assert last.index("Grade, question 2") < last.index("# Scorecard")
    assert _graded(_interview(tmp_path, [QUESTION, "2"], [ANSWER, "/skip"])) == []
    as_json = _interview(tmp_path, [QUESTION, "2"], [ANSWER, "/skip"], "--show-grades", "--json")
    assert json.loads(as_json)["scorecard"]["questions"]  # JSON stays one document
