"""Reading users' files: encodings by byte-order mark, and one precise sentence per bad path."""

from __future__ import annotations

import codecs
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.errors import UserError
from simulator.textio import printable, read_text_file

TEXT = "# ADR-1: Use Postgres\n\n## Context\nWe need transactions — and café ordering.\n"


@pytest.mark.parametrize(
    "bom, codec",
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_a_byte_order_mark_names_the_encoding(tmp_path, bom, codec):
    path = tmp_path / "adr.md"
    path.write_bytes(bom + TEXT.encode(codec))
    assert read_text_file(path) == TEXT  # the mark itself is not part of the text


def _refused(path) -> str:
    with pytest.raises(UserError) as err:
        read_text_file(path)
    message = str(err.value)
    assert "\n" not in message and message.endswith(".")
    return message


def test_undecodable_bytes_are_one_sentence_with_the_offset(tmp_path):
    bad = tmp_path / "notes.md"
    bad.write_bytes(b"# Notes\nok\n\xff\xfe\xfd\n")
    assert _refused(bad) == (
        "notes.md is not UTF-8 text (byte 0xff at offset 11); save it as UTF-8 and try again."
    )
    broken = tmp_path / "wide.md"
    broken.write_bytes(codecs.BOM_UTF16_LE + b"\x00\xd8")  # a lone surrogate
    assert "UTF-16 byte-order mark" in _refused(broken)


def test_paths_that_are_not_regular_files_say_what_they_are(tmp_path):
    os.symlink(tmp_path / "b.md", tmp_path / "a.md")
    os.symlink(tmp_path / "a.md", tmp_path / "b.md")
    os.symlink(tmp_path / "gone.md", tmp_path / "dangling.md")
    os.mkfifo(tmp_path / "pipe.md")
    (tmp_path / "folder.md").mkdir()
    (tmp_path / "file.md").write_text(TEXT)
    assert _refused(tmp_path / "a.md") == "a.md is a symbolic link loop; point it at a file."
    assert "dangling.md is a symbolic link to" in _refused(tmp_path / "dangling.md")
    assert "named pipe (FIFO)" in _refused(tmp_path / "pipe.md")  # and it did not block
    assert "folder.md is a folder" in _refused(tmp_path / "folder.md")
    assert "is a file, not a folder" in _refused(tmp_path / "file.md" / "x.md")
    missing = tmp_path / "no-such-dir" / "x.md"
    assert _refused(missing) == f"No such folder: {missing.parent} (looking for x.md)."
    assert _refused(tmp_path / "x.md") == "x.md does not exist."
    if Path("/dev/zero").exists():
        assert _refused("/dev/zero").startswith("/dev/zero is a device, not a file")


def test_a_broken_pdf_is_one_sentence_and_pypdf_says_nothing(tmp_path):
    # A subprocess: under pytest, pypdf's log lines go to pytest's handler, not to stderr.
    paths = []
    for name, data in [("a.pdf", b"%PDF-1.4 truncated"), ("b.pdf", b"not a pdf at all")]:
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    proc = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "critique", "adr", *paths],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"Error: {name} is not a readable PDF (PdfStreamError)." for name in ("a.pdf", "b.pdf")
    ]


@pytest.mark.parametrize(
    "raw, shown",
    [
        (
            "see \x1b]8;;https://evil.example\x1b\\the runbook\x1b]8;;\x1b\\ now",
            "see the runbook now",
        ),
        ("\x1b]0;pwned\x07title", "title"),
        ("\x1b]2;pwned\x1b\\title", "title"),
        ("red \x1b[31malert\x1b[0m, \x1b[2J\x1b[Hcleared", "red alert, cleared"),
        ("bell\x07 and back\x08\x08space\r", "bell and backspace"),
        ("c1 \x9b2J csi, \x9d0;t\x9c osc, \x85 nel", "c1  csi,  osc,  nel"),
        ("\x1bPdcs payload\x1b\\kept", "kept"),
        ("tabs\tand\nnewlines stay, café ✓ 中文", "tabs\tand\nnewlines stay, café ✓ 中文"),
    ],
)
def test_printable_strips_terminal_control_sequences(raw, shown):
    assert printable(raw) == shown
