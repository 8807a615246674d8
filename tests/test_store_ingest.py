"""The Chroma store: idempotent ingest, edits, deletion, user isolation, model mismatch, bad input."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from simulator.cli import cli
from simulator.config import CORPUS_DIR, get_settings
from simulator.errors import UserError
from simulator.store.chroma import ARTIFACTS, COMPENDIUM, Store
from simulator.store.ingest import add_files, ingest_compendium
from simulator.store.retrieval import Retriever

SECRET = (
    "Project Bluefin cut checkout latency by moving the tax service behind a write-through cache."
)


def _counts(store: Store) -> dict[str, int]:
    out = {}
    for name in (COMPENDIUM, ARTIFACTS):
        col = store.collection(name, create=False)
        out[name] = 0 if col is None else col.count()
    return out


def test_reingest_adds_nothing(compendium_store):
    before = _counts(compendium_store)
    result = ingest_compendium(compendium_store)
    assert (result.added, result.removed) == (0, 0)
    assert result.kept == result.chunks == before[COMPENDIUM] > 40
    assert _counts(compendium_store) == before


def test_an_edit_replaces_only_the_changed_chunk(compendium_store, tmp_path):
    text = (CORPUS_DIR / "compendium.md").read_text(encoding="utf-8")
    edited = tmp_path / "compendium.md"
    edited.write_text(text.replace("Error Budget 43m", "Error Budget 43.2m"), encoding="utf-8")
    result = ingest_compendium(compendium_store, edited)
    assert (result.added, result.removed, result.kept) == (1, 1, result.chunks - 1)
    hits = Retriever(compendium_store).search("error budget 43.2m monthly availability", 3)
    assert "43.2m" in hits[0].text


def _artifact(tmp_path, name="bluefin.md", body=SECRET):
    path = tmp_path / name
    path.write_text(f"# Bluefin retro\n\n## What happened\n{body}\n", encoding="utf-8")
    return path


def test_user_b_never_sees_user_a_artifact(compendium_store, tmp_path):
    (doc,) = add_files(compendium_store, [_artifact(tmp_path)], kind="star", user="alice")
    retriever = Retriever(compendium_store)
    query = "Bluefin tax service write-through cache"
    alice = retriever.search(query, 5, user="alice")
    bob = retriever.search(query, 5, user="bob")
    assert alice[0].doc_id == doc.id and "Bluefin" in alice[0].text
    assert all(h.doc_id != doc.id and "Bluefin" not in h.text for h in bob)
    bob_only = retriever.search(query, 5, user="bob", include_compendium=False)
    assert bob_only == []
    assert [d["id"] for d in compendium_store.documents("bob")] == ["compendium"]
    assert doc.id in [d["id"] for d in compendium_store.documents("alice")]
    assert compendium_store.delete_document(doc.id, user="bob") == 0  # not bob's to remove


def test_docs_rm_removes_every_chunk(compendium_store, tmp_path):
    body = "\n\n".join(f"## Part {i}\n{SECRET} Paragraph {i}." for i in range(6))
    (doc,) = add_files(compendium_store, [_artifact(tmp_path, body=body)], user="local")
    assert doc.chunks >= 2 and _counts(compendium_store)[ARTIFACTS] == doc.chunks
    retriever = Retriever(compendium_store)
    assert retriever.search("Bluefin tax service", 3)[0].doc_id == doc.id
    runner = CliRunner()
    listed = runner.invoke(cli, ["docs", "list", "--json"])
    assert doc.id in listed.output
    removed = runner.invoke(cli, ["docs", "rm", doc.id, "--json"])
    assert removed.exit_code == 0, removed.output
    assert f'"removed_chunks": {doc.chunks}' in removed.output
    assert _counts(compendium_store)[ARTIFACTS] == 0
    assert all(h.doc_id != doc.id for h in retriever.search("Bluefin tax service", 5))


def test_adding_the_same_file_twice_is_idempotent(compendium_store, tmp_path):
    path = _artifact(tmp_path)
    first = add_files(compendium_store, [path])[0]
    second = add_files(compendium_store, [path])[0]
    assert first.id == second.id and second.added == 0 and second.kept == first.chunks


class _OtherModel:
    """A stand-in embedding model with a different name (vectors are irrelevant here)."""

    name = "local:other-model"
    dim = 384

    def embed_documents(self, texts):
        return [[1.0] + [0.0] * 383 for _ in texts]

    def embed_query(self, text):
        return [1.0] + [0.0] * 383


def test_a_different_model_is_refused_with_the_reindex_command(compendium_store):
    other = Store(get_settings(), embedder=_OtherModel())
    with pytest.raises(
        UserError, match=r"built with local:all-MiniLM-L6-v2.*staffsim ingest --reindex"
    ):
        Retriever(other).search("burn rate", 3)
    with pytest.raises(UserError, match="local:other-model"):
        ingest_compendium(other)
    result = ingest_compendium(other, reindex=True)
    assert result.added == result.chunks
    assert other.collection(COMPENDIUM).metadata["embedding_model"] == "local:other-model"


def _bad_files(tmp_path):
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR" * 10)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    huge = tmp_path / "huge.txt"
    huge.write_text("x" * (5 * 1024 * 1024 + 1))
    pdf = tmp_path / "broken.pdf"
    pdf.write_bytes(b"%PDF-1.4 this is not really a pdf")
    wrong = tmp_path / "diagram.png"
    wrong.write_bytes(b"\x89PNG\r\n")
    return {
        "binary": (binary, "binary"),
        "empty": (empty, "empty"),
        "huge": (huge, "5 MB"),
        "pdf": (pdf, "PDF"),
        "extension": (wrong, "extension"),
    }


@pytest.mark.parametrize("case", ["binary", "empty", "huge", "pdf", "extension"])
def test_bad_input_is_refused_and_the_store_untouched(compendium_store, tmp_path, case):
    good = _artifact(tmp_path)
    add_files(compendium_store, [good], user="local")
    before = _counts(compendium_store)
    path, words = _bad_files(tmp_path)[case]
    other_good = _artifact(tmp_path, "another.md", "A second retro about queue backpressure.")
    with pytest.raises(UserError, match=words) as err:
        add_files(compendium_store, [other_good, path], user="local")
    message = str(err.value)
    assert message.endswith(".") and not re.search(r"[.!?]\s+[A-Z]", message)  # one sentence
    assert _counts(compendium_store) == before


def test_the_cli_prints_one_sentence_for_bad_input(tmp_path, capsys, monkeypatch):
    from simulator.cli import main

    empty = tmp_path / "empty.txt"
    empty.write_text("")
    monkeypatch.setattr("sys.argv", ["staffsim", "add", str(empty)])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.strip() == "Error: empty.txt is empty; put some text in it first."
    assert "Traceback" not in err


def test_unknown_kind_is_refused(compendium_store, tmp_path):
    with pytest.raises(UserError, match="Unknown kind 'memo'"):
        add_files(compendium_store, [_artifact(tmp_path)], kind="memo")


def test_add_several_files_in_one_call_with_json(compendium_store, tmp_path):
    import json

    first = _artifact(tmp_path)
    second = tmp_path / "notes.txt"
    second.write_text("Capacity notes: peak RPS 40k, headroom 30%.", encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(cli, ["add", str(first), str(second), "--kind", "capacity", "--json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert [r["source"] for r in rows] == ["bluefin.md", "notes.txt"]
    assert all(r["kind"] == "capacity" and r["added"] == r["chunks"] >= 1 for r in rows)
    assert len({r["id"] for r in rows}) == 2
