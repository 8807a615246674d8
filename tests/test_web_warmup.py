"""The app answers before its models load: the warm-up runs behind, and early clicks wait."""

from __future__ import annotations

import threading

import pytest

from simulator.web import warmup


@pytest.fixture
def blocked(monkeypatch):
    """A started warm-up that finishes only when the test releases it."""
    release = threading.Event()
    finished: list[str] = []

    def job() -> None:
        release.wait(30)
        finished.append("warm-up")

    monkeypatch.setattr(warmup, "_CURRENT", warmup.Warmup(job))
    warmup.current().start()
    yield release, finished
    release.set()
    warmup.current().wait(30)


def test_a_warm_up_says_so_until_it_has_finished(blocked):
    release, finished = blocked
    job = warmup.current()
    assert not job.ready and "Warming up" in job.banner()
    assert job.wait(timeout=0.05) is False
    release.set()
    assert job.wait(timeout=30) and job.ready and finished == ["warm-up"]
    assert job.banner() == "" and job.seconds is not None and job.error is None


def test_a_prepared_warm_up_not_yet_started_shows_warming_but_blocks_nobody():
    job = warmup.Warmup(lambda: None)
    assert not job.ready and "Warming up" in job.banner()
    assert job.wait(timeout=5) is False  # returns at once: nothing is running to wait for
    job.start().wait(30)
    assert job.ready and job.banner() == ""


def test_a_failed_warm_up_is_one_line_and_the_app_goes_on():
    def job() -> None:
        raise OSError("model file missing")

    w = warmup.Warmup(job).start()
    assert w.wait(30) and w.ready
    assert "OSError" in (w.error or "")
    assert w.banner().startswith("⚠ Warm-up did not finish") and "\n" not in w.banner()


def test_a_click_during_warm_up_waits_for_it(blocked):
    from simulator.web import handlers, interview

    release, finished = blocked
    seen: list[tuple[str, list[str]]] = []

    def click(name, fn, *args) -> None:
        import gradio as gr

        try:
            fn(*args)
        except gr.Error:  # the empty design answer's one sentence: after the wait, too
            pass
        seen.append((name, list(finished)))

    clicks = [
        threading.Thread(target=click, args=("design", handlers.grade_design, "", "", "")),
        threading.Thread(target=click, args=("interview", interview.pause, None)),
    ]
    for t in clicks:
        t.start()
    for t in clicks:
        t.join(0.3)
    assert seen == []  # both handlers are still waiting
    release.set()
    for t in clicks:
        t.join(30)
    assert sorted(seen) == [("design", ["warm-up"]), ("interview", ["warm-up"])]


def test_the_page_line_hides_once_warm(blocked):
    from simulator.web.layout import _warmup_state

    release, _ = blocked
    line, timer = _warmup_state()
    assert line.visible is True and "Warming up" in line.value and timer.active is True
    release.set()
    warmup.current().wait(30)
    line, timer = _warmup_state()
    assert line.visible is False and timer.active is False
