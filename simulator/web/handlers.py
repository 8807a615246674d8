"""Event handlers of the critic, library, progress and evals tabs; each one calls `simulator.api`.

Handlers take plain values (plus the `gr.Request` for the user) and return plain values,
so tests call them directly. Errors a user can cause become one `gr.Error` message;
outputs are then left untouched, so nothing typed is lost.
"""

from __future__ import annotations

import functools
import inspect
import logging
import threading
from pathlib import Path

import gradio as gr

from simulator import api
from simulator.errors import UserError
from simulator.progress import plural
from simulator.web import plots, views, warmup
from simulator.web.auth import user_of

log = logging.getLogger("staffsim.web")
DESIGN_PANEL = "system-design"
_EXEMPLAR = "Compendium: "
_BANK = "My bank: "


def shown(exc: Exception) -> gr.Error:
    """The one message a page shows for an error."""
    if isinstance(exc, UserError):
        return gr.Error(str(exc), duration=12, print_exception=False, title="Please check")
    log.exception("unexpected error in a web handler")
    return gr.Error(
        f"Something went wrong on the server ({type(exc).__name__}); your input is kept, "
        "and the server log has the details.",
        duration=None,
        print_exception=False,
    )


def guarded(fn):
    """Turn a handler's exceptions into one page message (generators too); a click made
    while the app warms up waits for it."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def stream(*args, **kwargs):
            try:
                warmup.wait()
                yield from fn(*args, **kwargs)
            except gr.Error:
                raise
            except Exception as exc:
                raise shown(exc) from None

        return stream

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            warmup.wait()
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except Exception as exc:
            raise shown(exc) from None

    return call


def _file_path(file) -> str | None:
    """A gradio upload value (path string, or an object with `.name`/`.path`) as a path."""
    if file is None:
        return None
    if isinstance(file, str | Path):
        return str(file)
    return str(getattr(file, "path", None) or getattr(file, "name", ""))


def _critique_view(text: str, grade, title: str | None = None):
    return views.highlights(text, grade), views.grade_markdown(grade, title=title)


# --- STAR critique ---------------------------------------------------------------------------


def star_choices(user: str) -> list[str]:
    """The stories to pick from: the compendium's exemplars, then the user's bank."""
    exemplars = [_EXEMPLAR + e.title for e in api.get_kind("star").exemplars]
    return exemplars + [_BANK + s.title for s in api.star_bank(user)]


@guarded
def pick_story(choice: str | None, request: gr.Request = None):
    """The picked story's text and competencies."""
    if not choice:
        return gr.skip(), gr.skip()
    if choice.startswith(_EXEMPLAR):
        title = choice.removeprefix(_EXEMPLAR)
        exemplar = next(e for e in api.get_kind("star").exemplars if e.title == title)
        return "\n".join(exemplar.lines), ""
    title = choice.removeprefix(_BANK)
    for story in api.star_bank(user_of(request)):
        if story.title == title:
            return story.text, ", ".join(story.competencies)
    raise UserError("That story is no longer in your bank; pick another.")


@guarded
def critique_star(text: str, request: gr.Request = None):
    """Critique a STAR story -> (highlighted evidence, summary, rewrite outline)."""
    grade = api.critique("star", text or "", name="the story")
    api.record_critique(user_of(request), grade, text, name="STAR story")
    kind = api.get_kind("star")
    template = [(f.name, f.detail) for f in kind.template]
    from simulator.knowledge.rubrics import get_artifact_rubric

    fields = {s.id: s.fields for s in get_artifact_rubric("star").signals}
    marks, summary = _critique_view(text, grade, "STAR story")
    return marks, summary, views.rewrite_outline(grade, template, fields)


@guarded
def save_story(text: str, competencies: str, request: gr.Request = None):
    """Save the story to the user's STAR bank -> (status, refreshed picker)."""
    user = user_of(request)
    tags = [c for c in (competencies or "").split(",") if c.strip()]
    result = api.save_star(text or "", tags, user=user)
    story = next((s for s in api.star_bank(user) if s.id == result.id), None)
    named = ", ".join(story.competencies) if story else ", ".join(tags)
    status = f"✓ Saved to your STAR bank as **{result.source}** (competencies: {named})."
    return status, gr.update(choices=star_choices(user))


# --- design grading --------------------------------------------------------------------------


def design_questions() -> list[str]:
    """The system-design panel's questions."""
    return list(api.get_panel(DESIGN_PANEL).questions)


@guarded
def grade_design(picked: str | None, typed: str | None, answer: str, request: gr.Request = None):
    """Grade a system-design answer -> (highlighted evidence, summary)."""
    question = (typed or "").strip() or (picked or "").strip()
    if not question:
        raise UserError("Pick a question from the list or type your own first.")
    grade = api.grade_answer(DESIGN_PANEL, question, answer or "", name="the answer")
    api.record_critique(user_of(request), grade, answer, name=question)
    return _critique_view(answer, grade, f"system design · {question}")


# --- artifact critic -------------------------------------------------------------------------


@guarded
def critique_file(file, kind: str | None, request: gr.Request = None):
    """Read an uploaded artifact, detect its kind, critique it -> (detected, marks, summary).

    A rejected file is one sentence where the detected kind goes, and the previous file's
    result is cleared so it is never shown beside the rejected name.
    """
    try:
        return _critique_file(file, kind, user_of(request))
    except UserError as exc:
        return f"⚠ {exc}", [], ""


def _critique_file(file, kind: str | None, user: str):
    path = _file_path(file)
    if not path:
        raise UserError("Upload a .md, .txt, .pdf or .docx file first.")
    text, detected, confidence = api.read_artifact(path)
    auto = not kind or kind == "auto"
    chosen = kind
    if auto:
        chosen, confidence = api.artifact_kind(
            text,
            Path(path).name,
            force="to critique it anyway, choose a kind in the list (e.g. {kind}) and press Critique",
            design="grade it in the Design Grading tab",
        )
    title = api.get_kind(chosen).title
    if auto:
        note = (
            f"Detected **{title}** (`{chosen}`, confidence {confidence:.2f}) in {Path(path).name}."
        )
    else:
        note = f"Critiqued as **{title}** (`{chosen}`); detection said `{detected}`."
    grade = api.critique(chosen, text, name=Path(path).name)
    api.record_critique(user, grade, text, name=Path(path).name)
    marks, summary = _critique_view(text, grade, title)
    return note, marks, summary


# --- library ---------------------------------------------------------------------------------

LIBRARY_HEADERS = ["id", "file", "kind", "chunks", "tokens"]


def library_rows(user: str) -> list[list]:
    return [
        [r["id"], r["source"], r["kind"], r["chunks"], r["tokens"]]
        for r in api.list_artifacts(user)
    ]


def _library(user: str):
    rows = library_rows(user)
    return rows, gr.update(choices=[(f"{r[1]} ({r[2]})", r[0]) for r in rows], value=None)


@guarded
def upload_files(files, request: gr.Request = None, progress=gr.Progress()):  # noqa: B008 (gradio finds its bar by this default)
    """Store uploaded files in the user's library -> (table, status, delete picker)."""
    user = user_of(request)
    paths = [p for p in (_file_path(f) for f in (files or [])) if p]

    def on_file(done: int, total: int, name: str) -> None:
        progress((done, total), desc=f"embedding {name}" if name else "done", unit="files")

    results = api.add_artifacts(paths, user=user, on_file=on_file)
    added = "; ".join(f"{r.source} as {r.kind} ({r.chunks} chunks)" for r in results)
    return (*_library(user), f"✓ Added {added}.")


@guarded
def refresh_library(request: gr.Request = None):
    """The user's library table and delete picker."""
    return _library(user_of(request))


@guarded
def delete_doc(doc_id: str | None, request: gr.Request = None):
    """Delete one of the user's documents -> (table, status, delete picker)."""
    if not doc_id:
        raise UserError("Pick a document to delete first.")
    user = user_of(request)
    removed = api.delete_artifact(doc_id, user=user)
    return (*_library(user), f"Deleted {doc_id} ({removed} chunks).")


# --- progress --------------------------------------------------------------------------------


@guarded
def show_progress(request: gr.Request = None):
    """The Progress tab -> (summary, KPI bars, cadence band, heatmap, pass-rate trend,
    per-panel pass rates, the trend picker, the picked rubric's per-signal trend)."""
    report = api.progress_report(user_of(request))
    c = report.cadence
    mocks = sum(n for _, _, n in report.pass_trend)
    lines = [
        f"### Month {c.month} of {len(c.phases)}: {_phase_title(c.phase.name)} — day {c.day}",
        "This month's focus: " + "; ".join(c.phase.items) + ".",
        "",
        f"Counted from {plural(sum(report.kinds.values()), 'document')} (your library and "
        f"critiques, each text once), {plural(report.critiques, 'critique')} and "
        f"{plural(mocks, 'finished mock interview')}.",
        "",
        "| KPI | You | Target | Counted | Status |",
        "|---|---:|---:|---|---|",
    ]
    for k in report.kpis:
        status = "✓ met" if k.met else f"{k.fraction:.0%} of target"
        lines.append(f"| {k.text} | {k.actual:g} | {k.target:g} | {k.note} | {status} |")
    panels = [p.id for p in api.list_panels()]
    choices = trend_choices(report)
    picked = choices[0][1] if choices else None
    return (
        "\n".join(lines),
        plots.kpi_bars(report.kpis),
        plots.cadence_timeline(c),
        plots.coverage_heatmap(panels, report.coverage),
        plots.pass_trend(report.pass_trend),
        plots.panel_pass_rates(panels, report.panel_pass),
        gr.update(choices=choices, value=picked),
        _trend_plot(report, picked),
    )


def trend_choices(report) -> list[tuple[str, str]]:
    """(label, rubric) of every panel and artifact kind with graded work, most graded first."""
    ranked = sorted(report.trends.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [(f"{_rubric_title(key)} ({plural(len(pts), 'grade')})", key) for key, pts in ranked]


@guarded
def show_signal_trend(rubric: str | None, request: gr.Request = None):
    """The per-signal trend of one panel or artifact kind."""
    return _trend_plot(api.progress_report(user_of(request)), rubric)


def _trend_plot(report, rubric: str | None):
    points = report.trends.get(rubric or "", [])
    return plots.signal_trend(_rubric_title(rubric) if rubric else "", points)


def _rubric_title(key: str) -> str:
    panels = {p.id: p.name for p in api.list_panels()}
    if key in panels:
        return f"{panels[key]} mocks and answers"
    kinds = {k.id: k.title for k in api.list_kinds()}
    return kinds.get(key, key)


def _phase_title(name: str) -> str:
    """`Month 1 (Foundations)` -> `Foundations`."""
    inner = name[name.find("(") + 1 : name.rfind(")")] if "(" in name else ""
    return inner or name


# --- evals -----------------------------------------------------------------------------------


@guarded
def show_evals():
    """The latest eval run's summary as markdown."""
    summary = getattr(api, "latest_eval_summary", None)
    if summary is None:
        return "The eval harness is not installed in this build."
    result = summary()
    if not result:
        return "No eval run yet: press **Run evals** (the same suites as `staffsim eval run`)."
    return result if isinstance(result, str) else _eval_markdown(result)


_EVAL_RUN = threading.Lock()


@guarded
def run_evals(suites: list[str] | None, progress=gr.Progress()):  # noqa: B008 (gradio finds its bar by this default)
    """Run the chosen eval suites offline with a progress bar -> (status line, report).

    A run refused (no suite, an unknown one, one already going) is one sentence in the
    status line, and the report on screen stays; the next run's line replaces it.
    """
    try:
        if not suites:
            raise UserError("Pick at least one suite to run.")
        if not _EVAL_RUN.acquire(blocking=False):
            raise UserError("An eval run is already going; its report shows here when it ends.")
        try:
            result, files = _run_with_bar(list(suites), progress)
        finally:
            _EVAL_RUN.release()
    except UserError as exc:
        return f"⚠ {exc}", gr.skip()
    verdict = "✓ passed its gates" if result.passed else (
        f"✗ {plural(len(result.shortfalls), 'shortfall')} below the gates"
    )  # fmt: skip
    status = (
        f"Run `{result.run_id}`: {plural(len(result.suites), 'suite')} in "
        f"{result.duration_s:.0f} s, {verdict}. Reports: `{files['html'].parent}`."
    )
    from simulator.evals.reports import summary_markdown

    return status, summary_markdown(result)


def _run_with_bar(suites: list[str], progress):
    """`api.run_evals` in a worker thread; this thread moves the bar (Gradio's progress
    belongs to the handler's thread, the runner ticks from its own)."""
    state = {"done": 0, "total": 0, "suite": ""}
    box: dict = {}

    def on_progress(done: int, total: int, suite: str) -> None:
        state.update(done=done, total=total, suite=suite)

    def work() -> None:
        try:
            box["result"] = api.run_evals(suites, on_progress=on_progress)
        except BaseException as exc:  # handed to the page as one message
            box["error"] = exc

    worker = threading.Thread(target=work, daemon=True, name="eval-run")
    worker.start()
    progress(0, desc="loading the suites")
    while worker.is_alive():
        worker.join(0.5)
        if state["total"]:
            progress((state["done"], state["total"]), desc=f"eval: {state['suite']}", unit="cases")
    if "error" in box:
        raise box["error"]
    return box["result"]


def _eval_markdown(result) -> str:
    data = result.model_dump() if hasattr(result, "model_dump") else dict(result)
    lines = ["| | |", "|---|---|"]
    for key, value in data.items():
        lines.append(f"| {key} | {value} |")
    return "\n".join(lines)
