"""The public Python API: the CLI and the web app both call these functions.

Each area keeps its logic in its own package; this module is the one door in.
"""

from __future__ import annotations

from simulator.knowledge.compendium import ArtifactKind, Compendium, load_compendium
from simulator.knowledge.rubrics import PanelRubric, get_panel, load_panels

__all__ = [
    "check_kind",
    "compendium",
    "critique",
    "get_kind",
    "get_panel",
    "grade_answer",
    "list_kinds",
    "list_panels",
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
