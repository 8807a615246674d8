"""Startup benchmark: seconds from `python app.py` to the page answering, and to warm-up done.

`make run` ends in `python app.py`; on a warm machine (dependencies installed, files in the
page cache) the page must answer within 10 s (issue 14). The models load after the page is
up, behind a "warming up" line; the second figure is when that line clears.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from simulator.bench._common import table
from simulator.config import ROOT
from simulator.errors import UserError

ANSWER_TARGET_S = 10.0
_WARMED = re.compile(r"warm-up finished in ([\d.]+) s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def one_start(timeout: float = 180.0) -> tuple[float, float | None]:
    """(seconds until GET / answers 200, seconds until the warm-up finished or None)."""
    with tempfile.TemporaryDirectory(prefix="staffsim-bench-") as tmp:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("STAFFSIM_", "GRADIO_"))}
        env.update(STAFFSIM_HOME=tmp, STAFFSIM_PORT=str(port), PYTHONUNBUFFERED="1")
        log = Path(tmp) / "server.log"
        started = time.perf_counter()
        with log.open("w") as out:
            proc = subprocess.Popen(
                [sys.executable, str(ROOT / "app.py")], cwd=tmp, env=env, stdout=out, stderr=out
            )
        try:
            answered = warmed = None
            url = f"http://127.0.0.1:{port}/"
            while time.perf_counter() - started < timeout:
                if proc.poll() is not None:
                    raise UserError(
                        f"app.py exited with {proc.returncode}: {log.read_text()[-400:]}"
                    )
                if answered is None and _answers(url):
                    answered = time.perf_counter() - started
                found = _WARMED.search(log.read_text(errors="replace"))
                if found and warmed is None:
                    warmed = time.perf_counter() - started
                if answered is not None and warmed is not None:
                    break
                time.sleep(0.1)
            if answered is None:
                raise UserError(f"app.py did not answer within {timeout:.0f} s.")
            return answered, warmed
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator.bench startup")
    parser.add_argument(
        "--runs", type=int, default=2, help="starts to time (the first warms caches)"
    )
    args = parser.parse_args(argv or [])
    rows = []
    for n in range(1, max(1, args.runs) + 1):
        answered, warmed = one_start()
        rows.append([f"start {n}", answered, warmed if warmed is not None else "-"])
    print("Startup: python app.py until the page answers, and until the warm-up finished (s)")
    print(table(["run", "page answers s", "warmed up s"], rows))
    best = min(r[1] for r in rows)
    verdict = "met" if best <= ANSWER_TARGET_S else "not met"
    print(
        f"page answers in {best:.1f} s on the warmest start; target <= {ANSWER_TARGET_S:.0f} s: {verdict}"
    )
    return 0
