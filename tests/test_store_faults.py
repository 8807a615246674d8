"""The local store under real processes: concurrent first `add`s, and `add` killed mid-write."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from simulator.cli import cli
from simulator.config import get_settings
from simulator.store.chroma import ARTIFACTS, Store
from simulator.store.ingest import add_files
from simulator.store.retrieval import Retriever

pytestmark = pytest.mark.slow

#: Runs `staffsim` in a child that SIGKILLs itself at one point of the write (argv: point, n).
#: `add:N` dies right after the N-th batch of chunks is written, `update:0` just before the
#: pending mark is cleared, `update:1` right after it is cleared (before the revision stamp).
_KILLER = """
import os, signal, sys
from chromadb.api.models.Collection import Collection
from simulator.cli import main

method, after = sys.argv[1].split(":")
after, calls, real = int(after), [0], getattr(Collection, method)

def dying(self, *args, **kwargs):
    if calls[0] == after:
        os.kill(os.getpid(), signal.SIGKILL)
    calls[0] += 1
    out = real(self, *args, **kwargs)
    if calls[0] == after:
        os.kill(os.getpid(), signal.SIGKILL)
    return out

setattr(Collection, method, dying)
sys.argv = ["staffsim", *sys.argv[2:]]
main()
"""


def _staffsim(*args: str) -> list[str]:
    return [sys.executable, "-m", "simulator.cli", *args]


def _big_doc(path, sections: int = 600, word: str = "kelpie"):
    """A postmortem of `sections` small sections: one chunk each, a write batch per 256."""
    lines = [f"# {word} outage postmortem", ""]
    for i in range(sections):
        lines += [f"## Finding {i}", f"Queue shard {i} of {word} overflowed in storm {i}.", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_concurrent_first_adds_for_different_users_all_succeed(tmp_path, staffsim_home):
    users = ["ana", "ben", "cai", "dee"]
    procs = []
    for user in users:
        note = _big_doc(tmp_path / f"{user}.md", sections=300, word=f"{user}fin")
        procs.append(
            subprocess.Popen(
                _staffsim("add", str(note), "--user", user, "--kind", "postmortem", "--json"),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, [err for _, err in outs]
    store = Store(get_settings())
    retriever = Retriever(store)
    for user, (out, _) in zip(users, outs, strict=True):
        (doc,) = json.loads(out)
        assert [(r["id"], r["chunks"]) for r in store.documents(user)] == [(doc["id"], 300)]
        # The dense index holds every process's vectors, not only the last writer's.
        hits = retriever.search(f"{user}fin shard 17", 40, user=user, mode="dense")
        assert len(hits) == 40 and {h.doc_id for h in hits} == {doc["id"]}


def _visible(store: Store, user: str) -> list[dict]:
    return [row for row in store.documents(user) if row["collection"] == ARTIFACTS]


@pytest.mark.parametrize("point", ["add:1", "update:0", "update:1", "random"])
def test_add_killed_mid_write_leaves_nothing_partial_visible(point, tmp_path, staffsim_home):
    doc = _big_doc(tmp_path / "big_pm.md")
    args = ["add", str(doc), "--user", "alice", "--kind", "postmortem"]
    if point == "random":
        proc = subprocess.Popen(_staffsim(*args), stderr=subprocess.DEVNULL)
        time.sleep(random.uniform(3.0, 9.0))  # imports and model load take ~4 s
        proc.send_signal(signal.SIGKILL)
    else:
        proc = subprocess.Popen([sys.executable, "-c", _KILLER, point, *args])
    proc.wait(timeout=120)
    if point != "random":
        assert proc.returncode == -signal.SIGKILL

    store = Store(get_settings())
    expected = len(_chunks(doc))
    visible = _visible(store, "alice")
    assert visible == [] or [row["chunks"] for row in visible] == [expected]
    if point == "update:1":
        assert visible, "a document whose every chunk was committed is visible"
    hits = Retriever(store).search("queue shard overflowed retry storm", 5, user="alice")
    assert bool(hits and any(h.collection == ARTIFACTS for h in hits)) == bool(visible)
    partial = store.partial_documents()
    if point != "random":
        assert bool(partial) == (not visible and point in ("add:1", "update:0"))
    else:
        # Killed at a random moment: before any write (nothing), mid-write (a pending
        # document nobody can see), or after the commit (visible and whole).
        assert not (partial and visible)

    if partial and point == "add:1":
        _doctor_repairs(store, partial, expected)
    else:  # adding the file again finishes the document
        (again,) = add_files(store, [doc], kind="postmortem", user="alice")
        assert again.chunks == expected
        assert [row["chunks"] for row in _visible(store, "alice")] == [expected]
    assert store.partial_documents() == []


def _doctor_repairs(store: Store, partial: list[dict], expected: int) -> None:
    """`doctor` names the partial document and `doctor --repair` removes its chunks."""
    (row,) = partial
    assert (row["source"], row["pending_chunks"]) == ("big_pm.md", 256)
    runner = CliRunner()
    found = runner.invoke(cli, ["doctor"])
    assert found.exit_code == 1
    (line,) = [ln for ln in found.output.splitlines() if "store:" in ln]
    assert line.startswith("FAIL") and "big_pm.md (256 chunks)" in line
    assert "staffsim doctor --repair" in line
    repaired = runner.invoke(cli, ["doctor", "--repair"])
    assert "store: removed 1 partial document(s): big_pm.md (256 chunks)" in repaired.output
    assert store.collection(ARTIFACTS, create=False).count() == 0  # gone, not just hidden
    assert "ok   store:" in runner.invoke(cli, ["doctor"]).output


def _chunks(path):
    from simulator.store.chunking import chunk_markdown

    return chunk_markdown(path.read_text(encoding="utf-8"), source=path.name, doc_id="x")
