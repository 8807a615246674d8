"""The bad-input corpus (tests/bad_inputs.py) through every CLI command that reads input and
through the web handlers: no traceback, every refusal one sentence, nothing printed raw."""

from __future__ import annotations

import json
import re
import time
import zlib
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest
from bad_inputs import ACCEPTED, HOSTILE_USERS, corpus

from simulator.cli import main

#: Controls a terminal acts on: C0/C1 but tab and newline, and bidirectional overrides.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: A second sentence: a full stop, then a capital (file names like x.md have no space).
TWO_SENTENCES = re.compile(r"[.!?]\s+[A-Z]")
QUESTION = "Design a URL shortener"


class _FastEmbedder:
    """Vectors from a hash: `add` of the 10k-heading file stays quick (the real model is
    measured in `python -m simulator.bench ingest`; here only input handling is under test)."""

    name = "local:all-MiniLM-L6-v2"
    dim = 384

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out = []
        for text in texts:
            seed = zlib.crc32(text.encode())
            v = [((seed >> (i % 32)) & 1) + 0.5 for i in range(self.dim)]
            norm = sum(x * x for x in v) ** 0.5
            out.append([x / norm for x in v])
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


@pytest.fixture
def bad_files(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "inputs"
    folder.mkdir()
    out = {}
    for name, data in corpus().items():
        out[name] = folder / name
        out[name].write_bytes(data)
    return out


@pytest.fixture
def staffsim(monkeypatch, capsys):
    """`staffsim ARGS...` in process -> (exit code, stdout, stderr); an uncaught exception
    (what a user would see as a traceback) fails the test."""
    fast = _FastEmbedder()
    monkeypatch.setattr("simulator.store.chroma.get_embedder", lambda spec=None: fast)

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.argv", ["staffsim", *args])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code or 0
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _problems(label: str, code: int, out: str, err: str, accepted: bool) -> list[str]:
    """What is wrong with one run, as lines of the test's report."""
    found = []
    if "Traceback" in out + err:
        found.append(f"{label}: traceback")
    if CONTROL.search(out + err):
        found.append(f"{label}: control characters printed {CONTROL.findall(out + err)[:3]}")
    errors = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("staffsim: ")]
    if code == 2 and not errors and out.startswith('{"file"'):  # --json: the error is data
        errors = ["Error: " + json.loads(out.splitlines()[0])["error"]]
    if accepted and code != 0:
        found.append(f"{label}: refused a readable input: {err.strip()!r}")
    if code not in (0, 2):
        found.append(f"{label}: exit {code}")
    if code == 2:
        if len(errors) != 1 or not errors[0].startswith("Error: "):
            found.append(f"{label}: not one error line: {errors!r}")
        elif not errors[0].endswith(".") or TWO_SENTENCES.search(errors[0][7:]):
            found.append(f"{label}: not one sentence: {errors[0]!r}")
    return found


COMMANDS = {
    "critique auto": lambda f: ["critique", "auto", f],
    "critique adr": lambda f: ["critique", "adr", f],
    "critique --json": lambda f: ["critique", "postmortem", f, "--json"],
    "grade": lambda f: ["grade", "system-design", "--question", QUESTION, f],
    "add": lambda f: ["add", f, "--user", "alice"],
    "interview --answers": lambda f: [
        "interview", "--panel", "behavioral", "--questions", "1", "--follow-ups", "0",
        "--answers", f,
    ],
}  # fmt: skip
#: Readable inputs a command may still refuse, in one sentence: `critique auto` refuses a
#: text that is no artifact, `add` a file with no text to index, an interview a huge answer.
MAY_REFUSE = {"critique auto", "interview --answers"}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_bad_file_through_every_command_that_reads_one(command, bad_files, staffsim):
    started = time.monotonic()
    problems, refused = [], 0
    for name, path in bad_files.items():
        code, out, err = staffsim(*COMMANDS[command](str(path)))
        accepted = name in ACCEPTED and command not in MAY_REFUSE
        problems += _problems(f"{command} {name!r}", code, out, err, accepted)
        refused += code == 2
    assert problems == []
    assert refused >= len(bad_files) - len(ACCEPTED)  # every unreadable file was refused
    assert time.monotonic() - started < 240


def test_hostile_user_names_are_opaque_names_that_stay_inside_the_home(
    bad_files, staffsim, staffsim_home, tmp_path
):
    note = bad_files["utf16-bom.md"]
    outside_before = {p for p in tmp_path.rglob("*") if not p.is_relative_to(staffsim_home)}
    problems = []
    for user in HOSTILE_USERS:
        for args in (
            ["add", str(note), "--user", user, "--kind", "adr"],
            ["docs", "list", "--user", user, "--json"],
            ["ask", "ledger Postgres p99", "--user", user, "--no-compendium", "--json"],
            ["docs", "rm", "no-such-doc", "--user", user],
        ):
            code, out, err = staffsim(*args)
            expect_refusal = args[:2] == ["docs", "rm"]
            problems += _problems(f"{args[0]} --user {user!r}", code, out, err, not expect_refusal)
            assert code == (2 if expect_refusal else 0), (args, err)
    code, out, _ = staffsim("docs", "list", "--user", "alice", "--json")
    assert '"source"' not in out or "utf16-bom.md" not in out  # never another user's document
    code, out, _ = staffsim("docs", "list", "--user", "bob/../alice", "--json")
    assert out.count("utf16-bom.md") == 1  # each name its own collection of one document
    assert problems == []
    outside_after = {p for p in tmp_path.rglob("*") if not p.is_relative_to(staffsim_home)}
    assert outside_after == outside_before  # nothing written outside STAFFSIM_HOME
    assert not Path("/tmp/evil").exists()


QUERIES = (
    "\u202eegdub rorre",
    "\x1b]0;pwned\x07error \x1b[31mbudget\x08",
    "'; DROP TABLE chunks; --",
    '{"$where": "1"}',
    "../../etc/passwd",
    "budget " * 20_000,
)


def test_hostile_queries_through_ask(staffsim, tmp_path):
    assert staffsim("ingest")[0] == 0
    problems = []
    for query in QUERIES:
        for extra in ([], ["--json"], ["--kind", "slo"]):
            code, out, err = staffsim("ask", query, *extra)
            problems += _problems(f"ask {query[:20]!r} {extra}", code, out, err, True)
    code, out, err = staffsim("ask", " \t ")
    problems += _problems("ask blank", code, out, err, False)
    assert code == 2
    assert problems == []


# --- web handlers ------------------------------------------------------------------------


def _as(user: str):
    return SimpleNamespace(username=user)


def _page_message(call) -> tuple[str, str | None]:
    """('ok', None) when the handler returned, ('refused', message) when it showed one."""
    try:
        result = call()
        if hasattr(result, "__next__"):
            list(result)
    except gr.Error as exc:
        return "refused", str(exc.message)
    return "ok", None


def _web_problems(label: str, outcome: str, message: str | None, accepted: bool) -> list[str]:
    if outcome == "ok":
        return []
    if message is None or "went wrong on the server" in message:
        return [f"{label}: unexpected error: {message!r}"]
    if accepted:
        return [f"{label}: refused a readable input: {message!r}"]
    if not message.endswith(".") or TWO_SENTENCES.search(message):
        return [f"{label}: not one sentence: {message!r}"]
    return []


def test_every_bad_file_through_the_web_handlers(bad_files, monkeypatch):
    from simulator.web import handlers as h

    fast = _FastEmbedder()
    monkeypatch.setattr("simulator.store.chroma.get_embedder", lambda spec=None: fast)
    problems = []
    for name, path in bad_files.items():
        ok = name in ACCEPTED
        for label, call in (
            ("critique_file auto", lambda p=path: h.critique_file(str(p), "auto")),
            ("critique_file adr", lambda p=path: h.critique_file(str(p), "adr")),
            ("upload_files", lambda p=path: h.upload_files([str(p)], _as("alice"))),
        ):
            outcome, message = _page_message(call)
            problems += _web_problems(
                f"{label} {name!r}", outcome, message, ok and label != "critique_file auto"
            )
    assert problems == []


TEXTS = {
    "empty": ("", False),
    "whitespace": (" \n\t \n", False),
    "nul": ("Situation: the queue\x00 overflowed.", False),
    "rtl": (
        "Situation: \u202etnemyap\u202c failed. Action: I rolled back. Result: 0 errors.",
        True,
    ),
    "escapes": ("Situation: \x1b]0;pwned\x07 the queue overflowed. Result: fixed.", True),
    "one line": ("I rolled back the deploy because p99 rose to 400 ms. " * 5_000, True),
}


def test_bad_text_through_the_web_handlers_that_take_text(monkeypatch):
    from simulator.web import handlers as h

    fast = _FastEmbedder()
    monkeypatch.setattr("simulator.store.chroma.get_embedder", lambda spec=None: fast)
    problems = []
    for name, (text, ok) in TEXTS.items():
        for label, call in (
            ("critique_star", lambda t=text: h.critique_star(t)),
            ("grade_design", lambda t=text: h.grade_design(None, QUESTION, t)),
            ("save_story", lambda t=text: h.save_story(t, "ownership", _as("alice"))),
        ):
            outcome, message = _page_message(call)
            problems += _web_problems(f"{label} {name}", outcome, message, ok)
    assert problems == []
