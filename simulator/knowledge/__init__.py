"""The compendium and the rubrics, as typed data."""

from simulator.knowledge.rubrics import (
    DETECTORS,
    KIND_IDS,
    PANEL_IDS,
    ArtifactRubric,
    PanelRubric,
    Pitfall,
    RubricError,
    Signal,
    get_artifact_rubric,
    get_panel,
    load_artifact_rubrics,
    load_panels,
)

__all__ = [
    "DETECTORS",
    "KIND_IDS",
    "PANEL_IDS",
    "ArtifactRubric",
    "PanelRubric",
    "Pitfall",
    "RubricError",
    "Signal",
    "get_artifact_rubric",
    "get_panel",
    "load_artifact_rubrics",
    "load_panels",
]
