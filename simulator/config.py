"""Settings: one pydantic model, overridable from the environment and a `.env` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The repository root: corpus/, prompts/ and evals/ live beside the package.
ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "corpus"
PROMPTS_DIR = ROOT / "prompts"
EVALS_DIR = ROOT / "evals"


class Settings(BaseSettings):
    """Everything StaffSim reads from its environment."""

    # Every field reads its `validation_alias` (STAFFSIM_HOME, ...). `populate_by_name` lets
    # code pass `Settings(home=...)`, but would also read a field's bare name from the
    # environment: $HOME became the data root and $USER the user. The prefix keeps those
    # bare-name lookups at names nobody sets.
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        env_prefix="STAFFSIM_FIELD_",
    )

    home: Path = Field(default=Path("~/.staffsim"), validation_alias="STAFFSIM_HOME")
    engine: str = Field(default="", validation_alias="STAFFSIM_ENGINE")
    embeddings: str = Field(default="local", validation_alias="STAFFSIM_EMBEDDINGS")
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    openai_api_key: str | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    llm_mode: str = Field(default="live", validation_alias="STAFFSIM_LLM_MODE")
    #: Seconds the endpoint may stay silent (no token) before a request is cancelled; the
    #: first token of a 2k-token prompt on a 2-core CPU server takes ~30-60 s.
    llm_timeout: float = Field(default=180.0, validation_alias="STAFFSIM_LLM_TIMEOUT")
    llm_retries: int = Field(default=3, validation_alias="STAFFSIM_LLM_RETRIES")
    #: Requests in flight at once: 4 for a hosted API, 1 for a server on this machine
    #: (llama-cpp-python computes one at a time; queued requests would only time out).
    llm_concurrency: int = Field(default=4, validation_alias="STAFFSIM_LLM_CONCURRENCY")
    #: Who grades interview answers on the LLM engine: `offline` (the default: a turn on a
    #: CPU server then costs one short generation, the follow-up) or `llm`.
    llm_grading: str = Field(default="offline", validation_alias="STAFFSIM_LLM_GRADING")
    prompt_label: str = Field(default="production", validation_alias="STAFFSIM_PROMPT_LABEL")
    fixtures_dir: Path = Field(default=EVALS_DIR / "fixtures", validation_alias="STAFFSIM_FIXTURES")
    chroma_host: str | None = Field(default=None, validation_alias="CHROMA_HOST")
    chroma_port: int | None = Field(default=None, validation_alias="CHROMA_PORT")
    user: str = Field(default="local", validation_alias="STAFFSIM_USER")
    auth: str | None = Field(default=None, validation_alias="STAFFSIM_AUTH")

    @field_validator("home", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("llm_mode")
    @classmethod
    def _mode(cls, value: str) -> str:
        if value not in {"live", "record", "replay"}:
            raise ValueError("STAFFSIM_LLM_MODE must be live, record or replay")
        return value

    @field_validator("llm_grading")
    @classmethod
    def _grading(cls, value: str) -> str:
        if value not in {"offline", "llm"}:
            raise ValueError("STAFFSIM_LLM_GRADING must be offline or llm")
        return value

    @model_validator(mode="after")
    def _local_concurrency(self) -> Settings:
        if "llm_concurrency" not in self.model_fields_set and self.is_local_endpoint:
            self.llm_concurrency = 1
        return self

    @property
    def is_local_endpoint(self) -> bool:
        """OPENAI_BASE_URL points at this machine (a local model server)."""
        from urllib.parse import urlparse

        host = urlparse(self.openai_base_url or "").hostname or ""
        return host in {"localhost", "127.0.0.1", "::1"} or host.startswith("127.")

    @property
    def engine_name(self) -> str:
        """The engine that runs: `offline`, or `openai:<model>`.

        With no engine chosen, an API key or base URL in the environment selects
        the LLM engine with a default model; otherwise the offline engine runs.
        """
        if self.engine:
            return self.engine
        if self.openai_api_key or self.openai_base_url:
            return "openai:gpt-4o-mini"
        return "offline"

    @property
    def is_offline(self) -> bool:
        return self.engine_name == "offline"

    @property
    def model(self) -> str | None:
        name = self.engine_name
        return name.split(":", 1)[1] if ":" in name else None

    def path(self, *parts: str) -> Path:
        """A path under the data root, its parent created."""
        target = self.home.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests call `get_settings.cache_clear()`)."""
    return Settings()
