"""Who is asking: STAFFSIM_AUTH pairs for gradio's login, the user id of a request, and
whose downloads are whose."""

from __future__ import annotations

import os
import re
import threading

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


# --- downloads ------------------------------------------------------------------------------
# Gradio serves every file in its cache folder (uploads, and outputs such as a scorecard) to
# anyone signed in who knows the URL. With login on, DownloadGuard records which user each
# cached file was sent to or uploaded by, and answers 404 to everyone else.

_FILE_ROUTE = re.compile(r"/file=(.+)$")
_OWNERS: dict[str, set[str]] = {}
_OWNERS_LOCK = threading.Lock()
_TAIL = 1024  # bytes of one body message kept for a path cut by the next


def download_guard() -> dict:
    """`app_kwargs` for `Blocks.launch`: serve each cached file only to its owner."""
    from starlette.middleware import Middleware

    return {"middleware": [Middleware(DownloadGuard)]}


def owners_of(path: str) -> set[str]:
    """The users a cached file was sent to or uploaded by."""
    with _OWNERS_LOCK:
        return set(_OWNERS.get(os.path.realpath(path), ()))


class DownloadGuard:
    """ASGI middleware: files in Gradio's cache go only to the user they were served to."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        gradio_app = scope.get("app")
        if scope["type"] != "http" or not getattr(gradio_app, "auth", None):
            await self.app(scope, receive, send)
            return
        user = _signed_in(scope, gradio_app)
        cache = os.path.realpath(_cache_folder())
        route = _FILE_ROUTE.search(scope["path"])  # Starlette has already %-decoded it
        if route and user is not None:
            wanted = os.path.realpath(route.group(1))
            if _inside(wanted, cache) and user not in owners_of(wanted):
                await _not_found(send)
                return
        if route or user is None:  # a download is not scanned; Gradio refuses the signed-out
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, _recording(send, user, cache))


def _cache_folder() -> str:
    from gradio.utils import get_upload_folder

    return get_upload_folder()


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _signed_in(scope, gradio_app) -> str | None:
    """The user of the request's login cookie, as Gradio's own login check reads it."""
    from http.cookies import CookieError, SimpleCookie

    cookies = SimpleCookie()
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            try:
                cookies.load(value.decode("latin-1"))
            except CookieError:  # a malformed cookie header signs no one in
                return None
    cookie_id = getattr(gradio_app, "cookie_id", "")
    for key in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
        if key in cookies:
            user = getattr(gradio_app, "tokens", {}).get(cookies[key].value)
            if user:
                return user
    return None


def _recording(send, user: str, cache: str):
    """`send` that notes every cache path in a response body (JSON or a server-sent event)."""
    pattern = re.compile(re.escape(cache.encode()) + rb"/[^\"\\\s<>']+")
    tail = b""

    async def wrapped(message) -> None:
        nonlocal tail
        if message["type"] == "http.response.body":
            body = tail + message.get("body", b"")
            found = {m.decode("utf-8", "replace") for m in pattern.findall(body)}
            if found:
                with _OWNERS_LOCK:
                    for path in found:
                        _OWNERS.setdefault(os.path.realpath(path), set()).add(user)
            tail = body[-_TAIL:]
        await send(message)

    return wrapped


async def _not_found(send) -> None:
    body = b'{"detail": "Not Found"}'
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 404, "headers": headers})
    await send({"type": "http.response.body", "body": body})
