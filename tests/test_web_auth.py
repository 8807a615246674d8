"""Downloads with login on: a file Gradio caches for one signed-in user is served to no other."""

from __future__ import annotations

import socket

import gradio as gr
import httpx
import pytest

from simulator.web.auth import download_guard, owners_of

USERS = [("alice", "wonderland"), ("bob", "builder")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path, monkeypatch):
    """A page whose button writes the signed-in user's own file, as the scorecard export does,
    launched on 127.0.0.1 with login and the guard, as app.py launches StaffSim."""
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio-cache"))

    def export(request: gr.Request):
        path = tmp_path / f"scorecard-{request.username}.md"
        path.write_text(f"# Scorecard of {request.username}\n", encoding="utf-8")
        return str(path)

    with gr.Blocks(analytics_enabled=False) as demo:
        out = gr.File()
        gr.Button("Export").click(export, None, out, api_name="export")
    port = _free_port()
    demo.launch(
        server_name="127.0.0.1",
        server_port=port,
        auth=USERS,
        prevent_thread_lock=True,
        quiet=True,
        app_kwargs=download_guard(),
    )
    yield f"http://127.0.0.1:{port}"
    demo.close()


def _session(url: str, user: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    login = client.post("/login", data={"username": user, "password": password})
    assert login.status_code == 200, login.text
    return client


def test_a_signed_in_users_download_is_not_served_to_another_user(server):
    from gradio_client import Client

    alice_app = Client(server, auth=USERS[0], download_files=False, verbose=False)
    exported = alice_app.predict(api_name="/export")
    path = exported["path"]
    assert "alice" in path and owners_of(path) == {"alice"}
    url = f"/gradio_api/file={path}"

    alice = _session(server, *USERS[0])
    bob = _session(server, *USERS[1])
    assert alice.get(url).text == "# Scorecard of alice\n"
    refused = bob.get(url)
    assert refused.status_code == 404 and "alice" not in refused.text
    assert httpx.get(server + url).status_code in (401, 403)  # signed out: Gradio's own check

    uploaded = alice.post(
        "/gradio_api/upload", files=[("files", ("notes.md", b"# Alice's private notes\n"))]
    )
    (upload_path,) = uploaded.json()
    assert alice.get(f"/gradio_api/file={upload_path}").status_code == 200
    assert bob.get(f"/gradio_api/file={upload_path}").status_code == 404


def test_without_the_guard_gradio_serves_it_to_anyone_signed_in(tmp_path, monkeypatch):
    """The hole the guard closes (so the test above cannot pass vacuously)."""
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio-cache"))
    secret = tmp_path / "scorecard.md"
    secret.write_text("alice only\n", encoding="utf-8")
    with gr.Blocks(analytics_enabled=False) as demo:
        out = gr.File()
        gr.Button("Export").click(lambda: str(secret), None, out, api_name="export")
    port = _free_port()
    demo.launch(
        server_name="127.0.0.1", server_port=port, auth=USERS, prevent_thread_lock=True, quiet=True
    )
    try:
        from gradio_client import Client

        url = f"http://127.0.0.1:{port}"
        path = Client(url, auth=USERS[0], download_files=False, verbose=False).predict(
            api_name="/export"
        )["path"]
        assert _session(url, *USERS[1]).get(f"/gradio_api/file={path}").text == "alice only\n"
    finally:
        demo.close()
