"""tiktoken works offline, from the encodings bpe-openai ships."""

from __future__ import annotations

import hashlib
import socket

import pytest

from simulator import tokens


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "tk"))
    tokens.get_encoding.cache_clear()
    yield tmp_path / "tk"
    tokens.get_encoding.cache_clear()


def test_encodings_load_with_networking_refused(fresh_cache, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network refused in this test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    enc = tokens.get_encoding("cl100k_base")
    assert enc.decode(enc.encode("error budget burn rate")) == "error budget burn rate"
    assert tokens.count_tokens("hello world", "gpt-4o") == 2
    assert tokens.encoding_for_model("gpt-4o-mini") == "o200k_base"
    assert tokens.encoding_for_model("llama3") == "cl100k_base"
    seeded = sorted(p.name for p in fresh_cache.iterdir())
    assert len(seeded) == 2


def test_seeded_files_match_tiktokens_hashes(fresh_cache):
    tokens.seed_tiktoken_cache()
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in fresh_cache.iterdir()}
    assert digests == set(tokens.EXPECTED_SHA256.values())


def test_a_corrupt_cache_file_is_replaced(fresh_cache):
    tokens.seed_tiktoken_cache()
    victim = next(fresh_cache.iterdir())
    victim.write_bytes(b"garbage")
    tokens.seed_tiktoken_cache()
    assert hashlib.sha256(victim.read_bytes()).hexdigest() in tokens.EXPECTED_SHA256.values()
