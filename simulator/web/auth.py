"""Who is asking: STAFFSIM_AUTH pairs for gradio's login, and the user id of a request."""

from __future__ import annotations

from simulator.config import get_settings
from simulator.errors import UserError


def credentials(spec: str | None) -> list[tuple[str, str]] | None:
    """`user:pass,user2:pass2` -> [(user, pass), ...]; None when login is off."""
    if not spec or not spec.strip():
        return None
    pairs = []
    for item in spec.split(","):
        user, sep, password = item.strip().partition(":")
        if not sep or not user.strip() or not password:
            raise UserError(
                "STAFFSIM_AUTH must be user:password pairs separated by commas, "
                "e.g. alice:s3cret,bob:hunter2."
            )
        pairs.append((user.strip(), password))
    return pairs


def user_of(request) -> str:
    """The logged-in user's name, or the configured local user when login is off."""
    name = getattr(request, "username", None) if request is not None else None
    return name or get_settings().user


def engine_banner() -> str:
    """The header line: which engine grades, said plainly."""
    settings = get_settings()
    if settings.is_offline:
        return (
            "**Engine: offline** — no API key is set, so answers are graded by the "
            "deterministic offline engine (detectors + local embeddings)."
        )
    where = f" at {settings.openai_base_url}" if settings.openai_base_url else ""
    return f"**Engine: LLM** — model `{settings.model}`{where}."
