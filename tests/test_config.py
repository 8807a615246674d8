"""Settings from defaults, environment variables and a `.env` file."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from simulator.config import Settings, get_settings


def test_defaults_choose_the_offline_engine(staffsim_home):
    settings = get_settings()
    assert settings.engine_name == "offline" and settings.is_offline
    assert settings.home == staffsim_home
    assert settings.embeddings == "local"


def test_environment_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("STAFFSIM_HOME", "~/elsewhere")
    monkeypatch.setenv("STAFFSIM_ENGINE", "openai:gpt-4.1-mini")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("STAFFSIM_EMBEDDINGS", "openai:text-embedding-3-small")
    settings = Settings()
    assert settings.home == Path("~/elsewhere").expanduser()
    assert settings.engine_name == "openai:gpt-4.1-mini" and settings.model == "gpt-4.1-mini"
    assert settings.openai_base_url == "http://127.0.0.1:11434/v1"
    assert settings.embeddings == "openai:text-embedding-3-small"


def test_api_key_alone_selects_the_llm_engine(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-real")
    assert Settings().engine_name.startswith("openai:")


def test_dotenv_file_is_read_and_env_wins(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("STAFFSIM_ENGINE=openai:from-dotenv\nSTAFFSIM_USER=alice\n")
    monkeypatch.chdir(tmp_path)
    assert Settings().engine_name == "openai:from-dotenv"
    assert Settings().user == "alice"
    monkeypatch.setenv("STAFFSIM_ENGINE", "offline")
    assert Settings().engine_name == "offline"


def test_bad_llm_mode_is_refused(monkeypatch):
    monkeypatch.setenv("STAFFSIM_LLM_MODE", "sometimes")
    with pytest.raises(ValidationError, match="live, record or replay"):
        Settings()


def test_home_and_user_do_not_come_from_the_shells_home_and_user(monkeypatch):
    """$HOME is not the data root and $USER is not the StaffSim user (the field names)."""
    from pathlib import Path

    monkeypatch.delenv("STAFFSIM_HOME", raising=False)
    monkeypatch.delenv("STAFFSIM_USER", raising=False)
    monkeypatch.setenv("HOME", "/somewhere/else")
    monkeypatch.setenv("USER", "root")
    settings = Settings()
    assert settings.home == Path("/somewhere/else/.staffsim")
    assert settings.user == "local"
    monkeypatch.setenv("STAFFSIM_HOME", "/data/staffsim")
    assert Settings().home == Path("/data/staffsim")
