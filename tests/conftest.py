"""Shared fixtures: every test gets its own data root, and no test reaches the internet."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from simulator.config import get_settings

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address) -> bool:
    if isinstance(address, str):  # AF_UNIX path
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded(real):
    def connect(self, address):
        if not _is_local(address):
            raise ConnectionRefusedError(f"tests may only reach 127.0.0.1, not {address!r}")
        return real(self, address)

    return connect


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch):
    """Refuse any connection that is not to the loopback interface."""
    monkeypatch.setattr(socket.socket, "connect", _guarded(_real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded(_real_connect_ex))


@pytest.fixture(autouse=True)
def staffsim_home(tmp_path, monkeypatch):
    """Point the data root at a fresh tmp dir and drop provider env vars."""
    home = tmp_path / "staffsim-home"
    monkeypatch.setenv("STAFFSIM_HOME", str(home))
    for var in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "STAFFSIM_ENGINE",
        "STAFFSIM_LLM_MODE",
        "CHROMA_HOST",
        "CHROMA_PORT",
        "STAFFSIM_AUTH",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # so a developer's own .env is not read
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _closed_breakers():
    """No test inherits another's record of an unreachable endpoint."""
    from simulator.llm import breaker

    breaker.reset()


@pytest.fixture(scope="session")
def _compendium_chroma(tmp_path_factory):
    """A Chroma directory with the compendium ingested once per test session."""
    from simulator.config import Settings
    from simulator.store.chroma import Store
    from simulator.store.ingest import ingest_compendium

    home = tmp_path_factory.mktemp("compendium-home")
    ingest_compendium(Store(Settings(home=home)))
    return home / "chroma"


@pytest.fixture
def compendium_store(_compendium_chroma, staffsim_home):
    """A `Store` on this test's data root, holding a fresh copy of the ingested compendium."""
    import shutil

    from simulator.store.chroma import Store

    shutil.copytree(_compendium_chroma, staffsim_home / "chroma")
    return Store(get_settings())


@pytest.fixture
def fake_openai():
    """A scripted OpenAI-compatible server on 127.0.0.1 (see tests/openai_server.py)."""
    from openai_server import FakeOpenAI  # tests/ is on sys.path (rootdir conftest)

    server = FakeOpenAI().start()
    yield server
    server.stop()
