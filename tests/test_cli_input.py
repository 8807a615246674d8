"""Hostile and broken input through the CLI: every bad file named, good ones still processed,
one sentence per problem, and no terminal control sequence from a document reaches the screen."""

from __future__ import annotations

import codecs
import json
import os
import re

import pytest

from simulator.cli import main

#: Any C0/C1 control but tab and newline (ESC, BEL, backspace, CR, CSI 0x9b, ...).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
HOSTILE = (
    "The kelpie \x1b]8;;https://evil.example\x1b\\queue\x1b]8;;\x1b\\ overflowed\x07 "
    "\x1b]0;pwned\x07at 09:14 UTC\x08\x08 and \x9b2J paged on-call."
)


@pytest.fixture
def staffsim(monkeypatch, capsys):
    """Run `staffsim ARGS...` in process as the console script does -> (exit code, out, err)."""

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.argv", ["staffsim", *args])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _note(path, body: str = "The kelpie queue overflowed at 09:14 UTC.", encoding="utf-8"):
    text = f"# Kelpie retro\n\n## Root cause\n{body}\n"
    if encoding == "utf-8":
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    return path


def test_add_reports_every_bad_file_and_still_adds_the_good_ones(tmp_path, staffsim):
    good = _note(tmp_path / "good.md")
    wide = _note(tmp_path / "wide.md", "A UTF-16 retro about queue backpressure.", "utf-16")
    latin = tmp_path / "latin.md"
    latin.write_bytes(b"# Retro\n\nCaf\xe9 queue\n")
    os.mkfifo(tmp_path / "pipe.md")
    code, out, err = staffsim(
        "add", str(good), str(latin), str(tmp_path / "nodir" / "x.md"), str(wide),
        str(tmp_path / "pipe.md"), "--user", "alice", "--kind", "postmortem",
    )  # fmt: skip
    assert code == 2
    assert err.splitlines() == [
        "Error: latin.md is not UTF-8 text (byte 0xe9 at offset 12); save it as UTF-8 and try "
        "again.",
        f"Error: No such folder: {tmp_path / 'nodir'} (looking for x.md).",
        "Error: pipe.md is a named pipe (FIFO), not a file; save the text to a file.",
        "Error: 3 of 5 files could not be added; 2 added.",
    ]
    assert [line.split(": ")[1].split(" as ")[0] for line in out.splitlines()] == [
        "good.md",
        "wide.md",
    ]
    code, out, _ = staffsim("docs", "list", "--user", "alice", "--json")
    assert sorted(row["source"] for row in json.loads(out)) == ["good.md", "wide.md"]


def test_add_json_lists_the_bad_files_beside_the_added_ones(tmp_path, staffsim):
    good = _note(tmp_path / "good.md")
    code, out, err = staffsim("add", str(good), str(tmp_path / "gone.md"), "--json")
    assert code == 2 and err == "Error: 1 of 2 files could not be added; 1 added.\n"
    added, failed = json.loads(out)
    assert added["source"] == "good.md"
    assert failed == {"file": str(tmp_path / "gone.md"), "error": "gone.md does not exist."}


@pytest.mark.parametrize("args", [["add", "x.md"], ["ask", "q"], ["docs", "list"]])
def test_an_empty_user_is_refused(staffsim, args):
    code, _, err = staffsim(*args, "--user", "")
    assert code == 2
    assert err == "Error: --user is empty; give a name (e.g. --user alice) or leave it out.\n"


def test_ask_refuses_an_unknown_kind_and_says_when_nothing_is_indexed(staffsim, staffsim_home):
    code, _, err = staffsim("ask", "burn rate", "--kind", "nosuchkind")
    assert code == 2 and err.startswith("Error: Unknown kind 'nosuchkind'; choose one of: adr,")
    for extra in ([], ["--json"]):
        code, out, err = staffsim("ask", "burn rate", *extra)
        assert (code, out) == (2, "")
        assert err == (
            f"Error: Nothing is indexed in {staffsim_home / 'chroma'} yet; run `staffsim ingest` "
            "(and `staffsim add FILE` for your own documents), then ask again.\n"
        )


def test_document_text_reaches_the_terminal_without_control_sequences(tmp_path, staffsim):
    hostile = _note(tmp_path / "retro.md", HOSTILE)
    code, out, _ = staffsim("add", str(hostile), "--user", "alice", "--kind", "postmortem")
    assert code == 0
    code, out, _ = staffsim(
        "ask", "kelpie queue overflowed \x1b]0;t\x07", "--user", "alice", "--no-compendium"
    )
    assert code == 0 and "kelpie queue overflowed" in out
    assert not CONTROL.search(out)  # the passage and the echo of the query
    code, out, _ = staffsim("ask", "kelpie queue", "--user", "alice", "--json")
    assert "\\u001b" in out and "\\u009b" in out and not CONTROL.search(out)  # kept, escaped
    assert "\x9b2J" in json.loads(out)["results"][0]["text"]  # the data is kept as it was

    code, out, _ = staffsim("critique", "postmortem", str(hostile))
    assert code == 0 and "overflowed" in out and not CONTROL.search(out)


def test_scripted_answers_are_decoded_and_echoed_without_control_sequences(tmp_path, staffsim):
    answers = tmp_path / "answers.md"
    answers.write_bytes(
        codecs.BOM_UTF16_LE + f"I led the {HOSTILE}\n---\nSecond answer.\n".encode("utf-16-le")
    )
    code, out, _ = staffsim(
        "interview", "--panel", "behavioral", "--questions", "1", "--answers", str(answers)
    )
    assert code == 0, out
    assert "You: I led the The kelpie queue overflowed" in out
    assert not CONTROL.search(out)

    broken = tmp_path / "broken.md"
    broken.write_bytes(b"A fine first answer.\n---\n\xff\xfe\xfd\n")
    code, out, err = staffsim(
        "interview", "--panel", "behavioral", "--questions", "1", "--answers", str(broken)
    )
    assert (code, out) == (2, "")
    assert err == (
        "Error: broken.md is not UTF-8 text (byte 0xff at offset 25); save it as UTF-8 and try "
        "again.\n"
    )
