"""Big inputs: the size limit is stated, and a long add reports its stages (bar or lines)."""

from __future__ import annotations

import io
import zlib

import pytest

from simulator.cli._progress import TerminalProgress
from simulator.config import get_settings
from simulator.errors import UserError
from simulator.store.chroma import Store
from simulator.store.ingest import PROGRESS_MIN, add_files
from simulator.textio import read_text_file


class _FastEmbedder:
    """Distinct unit vectors without a model, so a test can add hundreds of chunks quickly."""

    name = "test:crc"
    dim = 8

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out = []
        for text in texts:
            v = [float((zlib.crc32(text.encode()) >> s) & 0xFF) + 1.0 for s in range(0, 32, 4)]
            norm = sum(x * x for x in v) ** 0.5
            out.append([x / norm for x in v])
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def _long_doc(path, sections: int = 120):
    body = "\n\n".join(
        f"## Decision {n}\n\nWe moved shard {n} to the new cluster because p99 rose to {n} ms."
        for n in range(sections)
    )
    path.write_text(f"# History\n\n{body}\n", encoding="utf-8")
    return path


def test_a_file_over_the_limit_says_its_size_and_the_limit(tmp_path):
    big = tmp_path / "big.md"
    big.write_bytes(b"# Big\n\n" + b"queue depth rose. " * 300_000)  # 5.4 MB
    with pytest.raises(UserError) as err:
        read_text_file(big)
    assert str(err.value) == (
        "big.md has 5.4 MB; StaffSim reads documents up to 5 MB, so split it into smaller files."
    )


def test_a_docx_whose_text_is_over_the_limit_is_refused(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("queue depth rose. " * 300_000)  # compresses to a small file
    path = tmp_path / "dense.docx"
    document.save(path)
    assert path.stat().st_size < 1_000_000
    with pytest.raises(UserError, match=r"^dense.docx holds 5.4 MB of text; StaffSim reads"):
        read_text_file(path)


def test_a_long_add_prints_a_line_per_stage_outside_a_terminal(tmp_path):
    stream = io.StringIO()
    store = Store(get_settings(), embedder=_FastEmbedder())
    (doc,) = add_files(
        store,
        [_long_doc(tmp_path / "history.md", sections=300)],
        kind="adr",
        user="alice",
        progress=TerminalProgress(stream, bar=False),
    )
    lines = stream.getvalue().splitlines()
    assert doc.chunks >= PROGRESS_MIN and doc.added == doc.chunks
    assert lines[0].startswith(
        f"staffsim: read and chunked history.md (0.0 MB): {doc.chunks} chunks in "
    )
    assert lines[1] == f"staffsim: embedding and writing: {doc.chunks} chunks"
    # Outside a terminal the embedding stage says when it passes each quarter, no more often.
    shares = [int(ln.split("(")[-1].rstrip("%)")) for ln in lines[2:-1]]
    assert len(shares) == 3 and shares == sorted(shares) and shares[0] >= 25
    assert lines[-1].startswith(f"staffsim: {doc.chunks} chunks embedded and stored in ")
    assert "\r" not in stream.getvalue()


def test_a_long_add_draws_a_bar_in_a_terminal_and_a_short_one_says_nothing(tmp_path):
    stream = io.StringIO()
    store = Store(get_settings(), embedder=_FastEmbedder())
    add_files(
        store, [_long_doc(tmp_path / "history.md")], kind="adr", user="alice",
        progress=TerminalProgress(stream, bar=True),
    )  # fmt: skip
    shown = stream.getvalue()
    assert "embedding and writing" in shown and "\r" in shown  # tqdm redraws in place
    quiet = io.StringIO()
    add_files(
        store, [_long_doc(tmp_path / "short.md", sections=3)], kind="adr", user="alice",
        progress=TerminalProgress(quiet, bar=False),
    )  # fmt: skip
    assert quiet.getvalue() == ""
