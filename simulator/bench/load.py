"""Load: simultaneous mock interviews through the web app, as browsers would drive it.

Starts `python app.py` on 127.0.0.1 (a fresh data root, offline engine), then runs
`--sessions` interviews at once, each its own `gradio_client.Client` (its own Gradio session
and `gr.State`), each sending `--answers` answers. A turn is one answer, from submit to the
interviewer's last streamed word. Cross-talk: every answer carries its session's tag, and
every transcript a session gets back must hold its own tags only, all of them, in order.
One interview runs first and is not counted (it waits out the app's warm-up). Beside the
latencies it prints the CPU per turn of the server (`/proc`, when it started the app) and of
the clients, which share the machine's cores with it. Loopback only, and bounded: the run
stops after `--timeout` seconds.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from simulator.bench._common import percentile, table

TARGET_P95_S = 2.0
PANEL = "behavioral"
_ANSWER = (
    "Situation: our checkout service paged on-call 40 times a week across 3 teams. "
    "Task: I owned cutting pages within a quarter. Action: I built an alert taxonomy and "
    "moved paging to SLO burn rates. Result: pages fell from 40 to 12 a week. ({tag})"
)


@dataclass
class _Session:
    n: int
    turns_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    crosstalk: list[str] = field(default_factory=list)

    def tag(self, answer: int) -> str:
        return f"tag-s{self.n:02d}-a{answer}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(home: Path, port: int) -> subprocess.Popen:
    root = Path(__file__).resolve().parents[2]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI_", "STAFFSIM_", "CHROMA_", "GRADIO_"))
    }
    env.update(STAFFSIM_HOME=str(home), STAFFSIM_PORT=str(port), PYTHONUNBUFFERED="1")
    log = (home / "server.log").open("w")
    return subprocess.Popen(
        [sys.executable, str(root / "app.py")], cwd=home, env=env, stdout=log, stderr=log
    )


def _cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a process and its finished children (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _wait_up(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> float:
    import httpx

    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return time.monotonic() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"app.py did not answer within {timeout:.0f} s")


#: The Start form as a user fills it in: by label, so new fields keep their defaults.
_START = {"Panel": PANEL, "Level": "staff", "Questions": 2, "Follow-ups per question": 1}


def _start_args(client) -> list:
    params = client.view_api(return_format="dict", print_info=False)["named_endpoints"]["/start"]
    args = []
    for p in params["parameters"]:
        if p["label"] in _START:
            args.append(_START[p["label"]])
        elif p["parameter_has_default"]:
            args.append(p["parameter_default"])
        else:
            args.append("" if p["component"] == "Textbox" else None)
    return args


def _chat_of(result) -> list[dict]:
    """The chat history among an endpoint's outputs (the list of role/content messages)."""
    for value in result if isinstance(result, list | tuple) else [result]:
        if isinstance(value, list) and all(isinstance(m, dict) and "role" in m for m in value):
            return value
    raise ValueError("no chat history in the answer's outputs")


def _text(message: dict) -> str:
    content = message.get("content")
    if isinstance(content, list):  # gradio may wrap text in [{"type": "text", "text": ...}]
        return " ".join(str(c.get("text", c)) if isinstance(c, dict) else str(c) for c in content)
    return str(content)


def _run_session(session: _Session, url: str, answers: int, every_tag: set[str]) -> None:
    from gradio_client import Client

    try:
        # ssl_verify=False: on http://127.0.0.1 there is no certificate to check, and with it on
        # every request of gradio_client loads the CA bundle (~25 ms of CPU), taken from the
        # same cores as the server's.
        client = Client(url, verbose=False, download_files=False, ssl_verify=False)
        client.predict(*_start_args(client), api_name="/start")
    except Exception as exc:  # a failed start is an error of this session, not of the bench
        session.errors.append(f"start: {type(exc).__name__}: {exc}")
        return
    chat: list[dict] = []
    for a in range(answers):
        text = _ANSWER.format(tag=session.tag(a))
        start = time.perf_counter()
        try:
            chat = _chat_of(client.predict(text, chat, api_name="/answer"))
        except Exception as exc:
            session.errors.append(f"answer {a}: {type(exc).__name__}: {exc}")
            return
        session.turns_s.append(time.perf_counter() - start)
        said = [_text(m) for m in chat if m.get("role") == "user"]
        mine = [session.tag(i) for i in range(a + 1)]
        seen = [t for t in sorted(every_tag) if any(t in s for s in said)]
        if seen != sorted(mine) or not all(mine[i] in said[i] for i in range(len(mine))):
            session.crosstalk.append(f"after answer {a}: transcript holds {seen}, not {mine}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator.bench load")
    parser.add_argument("--sessions", type=int, default=16)
    parser.add_argument("--answers", type=int, default=4, help="Answers per session.")
    parser.add_argument("--timeout", type=float, default=600, help="Seconds for the whole run.")
    parser.add_argument("--url", default=None, help="A running app on 127.0.0.1 instead.")
    args = parser.parse_args(argv)

    sessions = [_Session(n) for n in range(args.sessions)]
    every_tag = {s.tag(a) for s in sessions for a in range(args.answers)}
    with tempfile.TemporaryDirectory(prefix="staffsim-load-") as tmp:
        proc = None
        if args.url:
            url = args.url
            if not url.startswith(("http://127.0.0.1:", "http://localhost:")):
                print("The load bench drives only an app on 127.0.0.1.", file=sys.stderr)
                return 2
        else:
            port = _free_port()
            url = f"http://127.0.0.1:{port}/"
            proc = _serve(Path(tmp), port)
        try:
            if proc is not None:
                up = _wait_up(url, proc, Path(tmp) / "server.log", min(args.timeout, 300))
                print(f"app.py answered on {url} after {up:.1f} s")
            # One interview first, not counted: it waits out the app's warm-up (models load
            # after the page answers), so the figures are of turns, not of loading.
            warm = _Session(-1)
            began = time.perf_counter()
            _run_session(warm, url, 1, {warm.tag(0)})
            failed = f" ({warm.errors[0]})" if warm.errors else ""
            print(f"warm-up interview: {time.perf_counter() - began:.1f} s{failed}")
            server_cpu = _cpu_s(proc.pid) if proc is not None else None
            client_cpu = time.process_time()
            start = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.sessions) as pool:
                futures = [
                    pool.submit(_run_session, s, url, args.answers, every_tag) for s in sessions
                ]
                _, late = wait(futures, timeout=args.timeout)
            wall = time.perf_counter() - start
            cpu = (
                (_cpu_s(proc.pid) or 0.0) - server_cpu if server_cpu is not None else None,
                time.process_time() - client_cpu,
            )
        finally:
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
    return _report(sessions, args, wall, len(late), cpu)


def _report(
    sessions: list[_Session], args, wall: float, late: int, cpu: tuple = (None, None)
) -> int:
    turns = [t for s in sessions for t in s.turns_s]
    errors = [f"session {s.n}: {e}" for s in sessions for e in s.errors]
    crosstalk = [f"session {s.n}: {c}" for s in sessions for c in s.crosstalk]
    wanted = args.sessions * args.answers
    print(
        f"Load: {args.sessions} simultaneous {PANEL} interviews through gradio_client, "
        f"{args.answers} answers each, {wall:.1f} s wall"
    )
    if turns:
        ms = [t * 1000 for t in turns]
        print(
            table(
                ["turns", "p50 ms", "p95 ms", "max ms"],
                [[f"{len(turns)}/{wanted}", percentile(ms, 50), percentile(ms, 95), max(ms)]],
            )
        )
    server_cpu, client_cpu = cpu
    if turns and client_cpu is not None:
        # On one machine the clients' own CPU competes with the server's for the same cores.
        server = (
            f"server {server_cpu / len(turns) * 1000:.0f} ms, " if server_cpu is not None else ""
        )
        print(
            f"CPU per turn: {server}clients {client_cpu / len(turns) * 1000:.0f} ms "
            f"(start included; {os.cpu_count()} cores)"
        )
    p95 = percentile(turns, 95) if turns else float("inf")
    met = "met" if p95 <= TARGET_P95_S else "NOT met"
    print(f"p95 turn latency {p95:.2f} s (target <= {TARGET_P95_S} s offline, idle 2 cores: {met})")
    print(f"errors: {len(errors) + late} (target 0); cross-talk: {len(crosstalk)} (target 0)")
    for line in (errors + crosstalk)[:10]:
        print(f"  {line}")
    if late:
        print(f"  {late} sessions still running at the {args.timeout:.0f} s limit")
    return 0 if not (errors or crosstalk or late) else 1
