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
from simulator.errors import UserError
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


class ChromaServer:
    """A real `chroma run` on 127.0.0.1 that a test can kill and start again (same data)."""

    def __init__(self, binary: str, path: Path, log: Path):
        self.binary, self.path, self.log_path = binary, path, log
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log_path.open("a") as log:
            self.proc = subprocess.Popen(
                [self.binary, "run", "--path", str(self.path), "--host", "127.0.0.1",
                 "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        url = f"http://127.0.0.1:{self.port}/api/v2/heartbeat"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                pytest.fail(f"chroma run did not answer: {self.log_path.read_text()}")
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL: no goodbye to the clients, as when the machine or container dies."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def chroma(tmp_path, monkeypatch):
    binary = _chroma_binary()
    if binary is None:
        pytest.skip("the `chroma` CLI (installed with chromadb) is not on this machine")
    server = ChromaServer(binary, tmp_path / "server", tmp_path / "chroma.log")
    server.start()
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(server.port))
    get_settings.cache_clear()
    yield server
    if server.proc is not None and server.proc.poll() is None:
        server.proc.terminate()
        server.proc.wait(timeout=10)


@pytest.fixture
def chroma_server(chroma):
    return chroma.port


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


def _staffsim(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "simulator.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _one_sentence_naming(err: str, port: int) -> str:
    # A long add reports its stages first ("staffsim: ..."); the error is the one other line.
    (line,) = [ln for ln in err.strip().splitlines() if not ln.startswith("staffsim: ")]
    assert line.startswith("Error: ") and f"127.0.0.1:{port}" in line and "chroma run" in line
    return line


def test_a_server_gone_before_a_query_is_one_sentence_within_10_s(chroma, tmp_path):
    note = tmp_path / "retro.md"
    note.write_text("# Retro\n\n## Root cause\nThe kelpie queue overflowed.\n", encoding="utf-8")
    store = Store(get_settings())
    add_files(store, [note], kind="postmortem", user="alice")
    retriever = Retriever(store)
    assert retriever.search("kelpie queue", 1, user="alice")
    chroma.kill()
    killed = time.monotonic()
    with pytest.raises(UserError, match=f"Chroma server at http://127.0.0.1:{chroma.port} stop"):
        retriever.search("kelpie queue overflow", 1, user="alice")  # a client opened before
    proc = _staffsim("ask", "kelpie queue", "--user", "alice")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and time.monotonic() - killed < 10
    _one_sentence_naming(err, chroma.port)


def test_a_server_killed_mid_add_is_one_sentence_and_nothing_half_written(chroma, tmp_path):
    doc = tmp_path / "big_pm.md"
    lines = ["# Kelpie outage postmortem", ""]
    for i in range(700):
        lines += [f"## Finding {i}", f"Queue shard {i} of kelpie overflowed in storm {i}.", ""]
    doc.write_text("\n".join(lines), encoding="utf-8")
    proc = _staffsim("add", str(doc), "--user", "alice", "--kind", "postmortem")

    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=chroma.port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:  # wait for the first batch
        names = [c.name for c in client.list_collections()]
        if "artifacts" in names and client.get_collection("artifacts").count() > 0:
            break
        time.sleep(0.1)
    assert proc.poll() is None, "the add finished before the server could be killed"
    chroma.kill()
    killed = time.monotonic()
    _, err = proc.communicate(timeout=60)
    took = time.monotonic() - killed
    assert proc.returncode == 2 and took < 10, (proc.returncode, took, err[-2000:])
    assert "stopped answering" in _one_sentence_naming(err, chroma.port)

    chroma.start()  # the same data: the chunks written before the kill stay hidden
    store = Store(get_settings())
    assert [r for r in store.documents("alice") if r["collection"] == "artifacts"] == []
    assert [row["source"] for row in store.partial_documents()] == ["big_pm.md"]
    (again,) = add_files(store, [doc], kind="postmortem", user="alice")
    assert [r["chunks"] for r in store.documents("alice") if r["id"] == again.id] == [700]
    assert store.partial_documents() == []
