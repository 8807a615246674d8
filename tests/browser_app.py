"""What the browser tests share: `python app.py` in a subprocess, Chromium's flags, screenshots.

Imported by tests/test_browser*.py (a module, not a conftest, so no other test pays for it).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT = 30_000  # ms: a click that embeds or grades answers well within this

if not Path(CHROMIUM).exists():
    pytest.skip(
        "Debian's chromium is missing: apt-get install chromium (make test does)",
        allow_module_level=True,
    )


def shot(pg, name: str) -> None:
    """A full-page screenshot in test-artifacts/screenshots/NAME.png."""
    pg.wait_for_timeout(300)  # let plots and highlights paint
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python app.py` in a subprocess with its own data root and port."""

    def __init__(self, home: Path, auth: str | None = None):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("OPENAI_", "STAFFSIM_", "CHROMA_", "GRADIO_"))
        }
        env.update(STAFFSIM_HOME=str(home), STAFFSIM_PORT=str(self.port), PYTHONUNBUFFERED="1")
        if auth:
            env["STAFFSIM_AUTH"] = auth
        home.mkdir(parents=True, exist_ok=True)
        self.log = home / "server.log"
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py")],
            cwd=home,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def answers(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"app.py exited:\n{self.log.read_text()}")
        try:
            with urllib.request.urlopen(self.url, timeout=2):
                return True
        except OSError:
            return False

    def warmed(self) -> bool:
        return "warm-up finished" in self.log.read_text(errors="replace")

    def wait(self, timeout: float = 120, *, warmed: bool = True) -> Server:
        """Until the page answers and (by default) the models have loaded behind it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.answers() and (self.warmed() or not warmed):
                return self
            time.sleep(0.2)
        raise RuntimeError(f"app.py was not ready in {timeout}s:\n{self.log.read_text()}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
