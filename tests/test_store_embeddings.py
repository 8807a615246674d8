"""Embedding backends: the local model (loaded once) and OpenAI's API shape on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest

from simulator.config import get_settings
from simulator.errors import UserError
from simulator.store.embeddings import get_embedder


def test_local_model_is_loaded_once_and_normalizes():
    embedder = get_embedder("local")
    assert embedder is get_embedder("local:all-MiniLM-L6-v2")
    vectors = np.array(embedder.embed_documents(["error budget burn", "error budget burning"]))
    assert vectors.shape == (2, embedder.dim) == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    query = np.array(embedder.embed_query("error budget burn"))
    assert float(query @ vectors[1]) > 0.8


class _FakeEmbeddings(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _FakeEmbeddings.seen.append({"path": self.path, "body": body})
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [
            {"object": "embedding", "index": i, "embedding": [float(len(t)), 1.0, 0.0]}
            for i, t in enumerate(inputs)
        ]
        payload = json.dumps(
            {
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_openai(monkeypatch):
    server = HTTPServer(("127.0.0.1", 0), _FakeEmbeddings)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{server.server_port}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    get_settings.cache_clear()
    yield
    server.shutdown()


def test_openai_embeddings_call_the_configured_endpoint(fake_openai):
    from simulator.store.embeddings import OpenAIEmbedder

    embedder = OpenAIEmbedder("text-embedding-3-small")
    assert embedder.name == "openai:text-embedding-3-small"
    assert embedder.embed_documents(["ab", "abcd"]) == [[2.0, 1.0, 0.0], [4.0, 1.0, 0.0]]
    assert embedder.embed_query("abc") == [3.0, 1.0, 0.0]
    assert _FakeEmbeddings.seen[0]["path"] == "/v1/embeddings"
    assert _FakeEmbeddings.seen[0]["body"]["model"] == "text-embedding-3-small"


def test_openai_without_a_key_and_unknown_specs_are_refused():
    from simulator.store.embeddings import OpenAIEmbedder

    with pytest.raises(UserError, match="OPENAI_API_KEY"):
        OpenAIEmbedder("text-embedding-3-small")
    with pytest.raises(UserError, match="Unknown embeddings 'cohere:x'"):
        get_embedder("cohere:x")
