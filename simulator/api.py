"""The public Python API: the CLI and the web app both call these functions.

Each area keeps its logic in its own package; this module is the one door in.
"""

from __future__ import annotations

from simulator.knowledge.compendium import ArtifactKind, Compendium, load_compendium
from simulator.knowledge.rubrics import PanelRubric, get_panel, load_panels

__all__ = [
    "add_artifacts",
    "artifact_kind",
    "check_kind",
    "compendium",
    "critique",
    "get_kind",
    "get_panel",
    "grade_answer",
    "latest_eval_run",
    "latest_eval_summary",
    "list_kinds",
    "delete_artifact",
    "list_artifacts",
    "interview_sessions",
    "new_interview",
    "open_interview",
    "list_panels",
    "progress_report",
    "record_critique",
    "run_evals",
    "eval_suites",
    "read_artifact",
    "save_star",
    "star_bank",
    "start_interview",
    "load_interview",
    "list_sessions",
    "export_session",
    "export_session_bytes",
]


# --- knowledge -----------------------------------------------------------------------


def compendium() -> Compendium:
    """The parsed compendium."""
    return load_compendium()


def list_kinds() -> list[ArtifactKind]:
    """The 20 artifact kinds, in compendium order."""
    return list(load_compendium().kinds.values())


def get_kind(kind_id: str) -> ArtifactKind:
    """One artifact kind by id (`adr`, `slo`, ...)."""
    return load_compendium().kind(kind_id)


def list_panels() -> list[PanelRubric]:
    """The seven interview panels, in matrix order."""
    return list(load_panels().values())


# --- grading -------------------------------------------------------------------------


def check_kind(kind: str) -> None:
    """Refuse an unknown artifact kind before any file is read."""
    if kind != "auto":
        get_kind(kind)


def critique(kind: str, text: str, *, engine: str | None = None, name: str = "the artifact"):
    """Critique an artifact against its compendium template and pitfalls -> `Grade`."""
    from simulator.grading import critique as _critique

    return _critique(kind, text, engine=engine, name=name)


def grade_answer(
    panel: str,
    question: str | None,
    text: str,
    *,
    engine: str | None = None,
    name: str = "the answer",
):
    """Grade an interview answer against a panel's evaluation signals -> `Grade`."""
    from simulator.grading import grade_answer as _grade

    return _grade(panel, question, text, engine=engine, name=name)


# --- web/progress --------------------------------------------------------------------


def add_artifacts(paths, *, user: str, kind: str | None = None, on_file=None):
    """Keep and index a user's files (.md, .txt, .pdf, .docx) -> list of `Ingested`."""
    from simulator.library import add_artifacts as _add

    return _add(paths, user=user, kind=kind, on_file=on_file)


def list_artifacts(user: str) -> list[dict]:
    """The user's stored artifacts: id, source, kind, chunks."""
    from simulator.library import list_artifacts as _list

    return _list(user)


def delete_artifact(doc_id: str, *, user: str) -> int:
    """Remove one of the user's artifacts; returns the chunks removed."""
    from simulator.library import delete_artifact as _delete

    return _delete(doc_id, user=user)


def read_artifact(path) -> tuple[str, str, float]:
    """A user's file read and its kind detected -> (text, kind, confidence)."""
    from simulator.knowledge.detect import detect_kind
    from simulator.textio import read_text_file

    text = read_text_file(path)
    kind, confidence = detect_kind(text)
    return text, kind, confidence


def artifact_kind(text: str, name: str, **hints: str) -> tuple[str, float]:
    """The artifact kind of `text` and the confidence; one-sentence `UserError` if it is no artifact.

    `hints` (`force`, `design`) rephrase how the sentence says to force a kind or grade a design.
    """
    from simulator.knowledge.detect import artifact_kind as _artifact_kind

    return _artifact_kind(text, name, **hints)


def save_star(text: str, competencies: list[str], *, user: str, title: str | None = None):
    """Save a STAR story to the user's bank (kind `star`, with its competencies) -> `Ingested`."""
    from simulator.library import save_star as _save

    return _save(text, competencies, user=user, title=title)


def star_bank(user: str):
    """The user's STAR stories -> list of `Story`."""
    from simulator.library import star_bank as _bank

    return _bank(user)


def record_critique(user: str, grade, text: str, *, name: str = "") -> None:
    """Note a critique or graded answer in `user`'s activity log, for Progress; a log that
    cannot be written is reported in the server log, never to the critique's caller."""
    import logging

    from simulator.activity import record

    try:
        record(user, grade, text, name=name)
    except OSError as exc:
        logging.getLogger("staffsim.activity").warning("critique not logged: %s", exc)


def progress_report(user: str, *, today=None):
    """The compendium's KPIs and cadence measured on the user's data -> `ProgressReport`."""
    from simulator.progress import progress_report as _report

    return _report(user, today=today)


# --- interview -----------------------------------------------------------------------


def start_interview(
    panel: str,
    *,
    level: str = "staff",
    questions: int = 3,
    follow_ups: int = 2,
    user: str | None = None,
    chosen: list[str] | None = None,
):
    """A new mock interview for `user` (default: settings.user) -> `Interview`; call `.start()`.

    `chosen`: questions to ask first (bank ids, bank texts or the candidate's own).
    """
    from simulator.interview import Interview

    return Interview.create(
        panel, level=level, questions=questions, follow_ups=follow_ups, user=user, chosen=chosen
    )


def load_interview(session_id: str, *, user: str | None = None):
    """One of `user`'s saved sessions -> `Interview` (`.start()` resumes it)."""
    from simulator.interview import Interview

    return Interview.load(session_id, user=user)


def list_sessions(user: str | None = None) -> list:
    """`user`'s sessions, newest first -> list of `SessionRow`."""
    from simulator.config import get_settings
    from simulator.interview import SessionStore

    return SessionStore().list_sessions(user or get_settings().user)


def export_session(session_id: str, *, fmt: str = "md", user: str | None = None) -> str:
    """A session's scorecard and transcript as Markdown (`md`) or JSON (`json`) text."""
    from simulator.interview.export import export_text

    return export_text(load_interview(session_id, user=user), fmt)


def export_session_bytes(session_id: str, *, fmt: str = "pdf", user: str | None = None) -> bytes:
    """A session as a file's bytes: `pdf`, or `md`/`json` text encoded as UTF-8."""
    from simulator.interview.export import export_bytes

    return export_bytes(load_interview(session_id, user=user), fmt)


def new_interview(
    panel: str,
    *,
    level: str = "staff",
    questions: int = 3,
    follow_ups: int = 2,
    user: str,
    chosen: list[str] | None = None,
):
    """A new mock interview session for `user` -> `Interview` (call `.start()`)."""
    from simulator.interview import Interview

    return Interview.create(
        panel, level=level, questions=questions, follow_ups=follow_ups, user=user, chosen=chosen
    )


def open_interview(session_id: str, *, user: str):
    """One of `user`'s saved sessions -> `Interview` (`.start()` resumes it)."""
    from simulator.interview import Interview

    return Interview.load(session_id, user=user)


def interview_sessions(user: str):
    """The user's sessions, newest first -> list of `SessionRow`."""
    from simulator.interview import SessionStore

    store = SessionStore()
    try:
        return store.list_sessions(user)
    finally:
        store.close()


# --- evals ---------------------------------------------------------------------------


def latest_eval_run():
    """The latest eval run written on this machine -> `RunResult`, or None."""
    from simulator.evals.reports import latest_run

    return latest_run()


def latest_eval_summary() -> str | None:
    """The latest eval run's verdict and per-suite table as Markdown, or None."""
    from simulator.evals.reports import summary_markdown

    run = latest_eval_run()
    return summary_markdown(run) if run else None


def eval_suites() -> list[tuple[str, str]]:
    """(id, description) of every eval suite in `evals/suites/`."""
    from simulator.evals.suites import find_suites

    return [(s.id, s.description) for s in find_suites()]


def run_evals(suites: list[str] | None = None, *, on_progress=None):
    """Run eval suites on the offline engine, as `staffsim eval run` does, and write their
    reports -> (`RunResult`, {format: path}). `on_progress(done, total, suite_id)`."""
    from simulator.evals.reports import runs_dir, write_reports
    from simulator.evals.runner import run
    from simulator.evals.suites import find_suites

    result = run(
        find_suites(list(suites or [])),
        engine="offline",
        concurrency=1,
        progress=False,
        on_progress=on_progress,
    )
    return result, write_reports(result, runs_dir() / result.run_id)
