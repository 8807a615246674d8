"""The CLI's JSON contracts and its promise to stay light at start-up."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from simulator.cli import cli


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def test_corpus_list_json_has_20_kinds_with_templates():
    result = run("corpus", "list", "--json")
    assert result.exit_code == 0, result.output
    kinds = json.loads(result.output)
    assert len(kinds) == 20
    for kind in kinds:
        assert {"id", "title", "template", "pitfalls", "metrics"} <= set(kind)
        assert kind["template"] and all(isinstance(f, str) for f in kind["template"])
    assert kinds[0]["id"] == "adr" and kinds[-1]["id"] == "decision_economics"


def test_panels_list_json_has_7_panels_with_signals_and_questions():
    result = run("panels", "list", "--json")
    assert result.exit_code == 0, result.output
    panels = json.loads(result.output)
    assert [p["id"] for p in panels] == [
        "coding", "system-design", "architecture-deep-dive", "behavioral",
        "leadership", "cross-functional", "bar-raiser",
    ]  # fmt: skip
    for panel in panels:
        assert len(panel["signals"]) >= 5 and len(panel["questions"]) >= 10
        assert all({"id", "name", "weight"} <= set(s) for s in panel["signals"])


def test_show_commands_and_unknown_names():
    assert "Alternatives Considered" in run("corpus", "show", "adr").output
    shown = json.loads(run("panels", "show", "behavioral", "--json").output)
    assert shown["id"] == "behavioral"


def test_unknown_kind_is_one_sentence_not_a_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "corpus", "show", "nope"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("Error: Unknown artifact kind 'nope'")
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1


def test_help_imports_no_heavy_library():
    code = (
        "import sys; from simulator.cli import cli; "
        "cli.main(['--help'], standalone_mode=False); "
        "heavy = [m for m in ('torch', 'chromadb', 'gradio', 'langchain_core', 'openai', "
        "'sentence_transformers') if m in sys.modules]; print('HEAVY', heavy)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY []" in proc.stdout
    assert "critique" in proc.stdout and "panels" in proc.stdout


def test_critique_json_lines_and_a_bad_file(tmp_path):
    good = tmp_path / "adr.md"
    good.write_text(
        "# ADR-7: Use Postgres\nStatus: Accepted\n\n## Context\nWe need transactions for orders.\n\n"
        "## Decision\nWe will use Postgres.\n\n## Alternatives\n(1) DynamoDB: pros scale, cons no joins.\n"
    )
    bad = tmp_path / "image.png"
    bad.write_bytes(b"\x89PNG\x00\x00")
    result = run("critique", "adr", str(good), str(bad), "--json")
    lines = [json.loads(line) for line in result.output.strip().splitlines()]
    assert result.exit_code == 2
    first, second = lines
    assert {"file", "kind", "score", "level", "signals", "pitfalls", "suggestions", "sections",
            "injection", "engine", "model", "prompt", "rubric"} <= set(first)  # fmt: skip
    assert first["kind"] == "adr" and 1 <= first["score"] <= 5
    assert first["engine"] == "offline" and first["rubric"] == "adr@3"
    assert second["file"].endswith("image.png") and "extension" in second["error"]


def test_grade_reads_question_line_and_stdin():
    answer = "# Question: Design a URL shortener\nI would hash URLs into base62 keys in DynamoDB."
    result = run("grade", "system-design", "-", "--json", input=answer)
    assert result.exit_code == 0, result.output
    line = json.loads(result.output)
    assert line["question"] == "Design a URL shortener"
    assert line["level"] in {"Strong No Hire", "No Hire", "Lean Hire", "Hire", "Strong Hire"}
    # The design problem behind the question, and how far its hard parts were solved.
    assert line["problem"] == "url_shortener"
    assert line["hard_parts"] and {"id", "name", "score", "evidence"} <= set(line["hard_parts"][0])


def test_critique_on_a_dead_endpoint_falls_back_at_once_and_says_so(tmp_path, monkeypatch):
    import socket
    import time

    from simulator.config import get_settings
    from simulator.grading.llm import llm_grader

    with socket.socket() as sock:  # a port nothing listens on once the socket is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    files = []
    for name in ("a.md", "b.md"):
        path = tmp_path / name
        path.write_text(
            "# ADR-7: Use Postgres\nStatus: Accepted\n\n## Context\nWe need transactions.\n\n"
            "## Decision\nWe will use Postgres.\n",
            encoding="utf-8",
        )
        files.append(str(path))
    started = time.perf_counter()
    assert run("critique", "adr", *files).exit_code == 0  # offline: warms the models
    offline = time.perf_counter() - started

    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("STAFFSIM_ENGINE", "openai:gpt-4o-mini")
    get_settings.cache_clear()
    llm_grader.cache_clear()
    sentence = f"The model at http://127.0.0.1:{port}/v1 is unreachable; graded offline."
    started = time.perf_counter()
    text = run("critique", "adr", *files)
    dead = time.perf_counter() - started
    assert text.exit_code == 0, text.output
    assert text.output.count(f"  ! {sentence}\n") == 2
    # No retries (their backoff alone was ~2.5 s a file), and the second file does not try
    # again; the margin covers the one-time setup of the LLM client on a busy machine.
    assert dead - offline < 2.5
    lines = [json.loads(ln) for ln in run("critique", "adr", *files, "--json").output.splitlines()]
    assert [(ln["engine"], ln["fallback"]) for ln in lines] == [("offline", sentence)] * 2
    llm_grader.cache_clear()
