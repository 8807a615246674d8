"""The Evals tab: start an offline run with a progress bar, see its report, and its errors."""

from __future__ import annotations

import re
import threading

import gradio as gr

from simulator import api
from simulator.web import handlers as h


class Bar:
    """Stands in for gr.Progress: records what the bar was set to."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, str]] = []

    def __call__(self, value, desc=None, unit=None, **_):
        self.calls.append((value, desc or ""))


def test_a_run_moves_the_bar_and_shows_its_report_which_stays_the_latest():
    bar = Bar()
    status, report = h.run_evals(["flags"], progress=bar)
    assert status.startswith("Run `") and "1 suite in" in status and "✓ passed its gates" in status
    assert report.startswith("# Eval run ") and "| flags | pass |" in report
    counted = [v for v, _ in bar.calls if isinstance(v, tuple)]
    assert counted, "the bar shows cases done of the total"
    done, total = counted[-1]
    assert 0 < done <= total and all(d <= t for d, t in counted)
    assert any("flags" in desc for _, desc in bar.calls)
    assert h.show_evals() == api.latest_eval_summary()  # Refresh shows the same run
    assert "| flags | pass |" in h.show_evals()


def test_the_runner_reports_progress_for_every_case():
    seen: list[tuple[int, int, str]] = []
    result, files = api.run_evals(["flags"], on_progress=lambda *a: seen.append(a))
    total = result.suites[0].metrics["n"]
    assert seen[-1] == (total, total, "flags") and len(seen) == total
    assert files["html"].is_file() and files["markdown"].read_text().startswith("# Eval run")


def _kept(value) -> bool:
    return isinstance(value, type(gr.skip()))


def test_no_suite_or_an_unknown_one_is_one_sentence_in_the_status_line():
    status, report = h.run_evals([], progress=Bar())
    assert status == "⚠ Pick at least one suite to run." and _kept(report)
    status, report = h.run_evals(["nope"], progress=Bar())
    assert re.fullmatch(r"⚠ No suite 'nope'; give a suite file or one of: .*flags.*\.", status)
    assert _kept(report)  # the report on screen stays
    status, _ = h.run_evals(["flags"], progress=Bar())  # and the next run still goes
    assert "passed" in status and "⚠" not in status


def test_a_second_run_while_one_is_going_is_refused(monkeypatch):
    started, release = threading.Event(), threading.Event()
    real = api.run_evals

    def slow(suites, on_progress=None):
        started.set()
        release.wait(30)
        return real(suites, on_progress=on_progress)

    monkeypatch.setattr(api, "run_evals", slow)
    first: list = []
    runner = threading.Thread(target=lambda: first.append(h.run_evals(["flags"], progress=Bar())))
    runner.start()
    assert started.wait(30)
    status, report = h.run_evals(["flags"], progress=Bar())
    assert status.startswith("⚠ An eval run is already going") and _kept(report)
    release.set()
    runner.join(60)
    assert first and "passed" in first[0][0]


def test_without_a_run_the_tab_says_how_to_start_one(monkeypatch):
    monkeypatch.setattr(api, "latest_eval_summary", lambda: None)
    assert "Run evals" in h.show_evals() and "staffsim eval run" in h.show_evals()
