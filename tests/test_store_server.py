"""Server mode: the same code against a real `chroma run` on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from simulator.config import get_settings
from simulator.store.chroma import Store
from simulator.store.ingest import add_files, ingest_compendium
from simulator.store.retrieval import Retriever

pytestmark = pytest.mark.slow


def _chroma_binary() -> str | None:
    beside = Path(sys.executable).parent / "chroma"
    return str(beside) if beside.exists() else shutil.which("chroma")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path, monkeypatch):
    binary = _chroma_binary()
    if binary is None:
        pytest.skip("the `chroma` CLI (installed with chromadb) is not on this machine")
    port = _free_port()
    log = (tmp_path / "chroma.log").open("w")
    proc = subprocess.Popen(
        [
            binary,
            "run",
            "--path",
            str(tmp_path / "server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"chroma run did not answer: {(tmp_path / 'chroma.log').read_text()}")
        time.sleep(0.2)
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(port))
    get_settings.cache_clear()
    yield port
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


def test_the_same_code_runs_against_a_chroma_server(chroma_server, tmp_path, staffsim_home):
    store = Store(get_settings())
    assert store.location == f"http://127.0.0.1:{chroma_server}"
    first = ingest_compendium(store)
    again = ingest_compendium(store)
    assert first.added == first.chunks and again.added == 0
    note = tmp_path / "retro.md"
    note.write_text("# Retro\n\n## Root cause\nThe kelpie queue overflowed.\n", encoding="utf-8")
    (doc,) = add_files(store, [note], kind="postmortem", user="alice")
    retriever = Retriever(store)
    assert retriever.search("how fast should a burn-rate alert page?", 3)[0].kind == "slo"
    assert retriever.search("kelpie queue overflow", 3, user="alice")[0].doc_id == doc.id
    assert all(h.doc_id != doc.id for h in retriever.search("kelpie queue overflow", 5, user="bob"))
    assert not (staffsim_home / "chroma").exists()  # nothing went to the local path
