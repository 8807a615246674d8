"""Evaluation of StaffSim's graders and retrieval: labeled sets, suites and their runners."""

from simulator.evals.labeled import (
    LABELED_SETS,
    LEVEL_NAMES,
    InjectionCase,
    LabeledCase,
    LabeledDataError,
    LabeledSet,
    RetrievalQuery,
    base_case,
    load_injections,
    load_labeled,
    load_retrieval_queries,
    surface_correlation,
)

__all__ = [
    "LABELED_SETS",
    "LEVEL_NAMES",
    "InjectionCase",
    "LabeledCase",
    "LabeledDataError",
    "LabeledSet",
    "RetrievalQuery",
    "base_case",
    "load_injections",
    "load_labeled",
    "load_retrieval_queries",
    "surface_correlation",
]
