"""The labeled data sets load, are balanced, and their surface features do not give the level away."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from simulator.evals.labeled import (
    LABELED_SETS,
    LabeledDataError,
    base_case,
    load_injections,
    load_labeled,
    load_retrieval_queries,
    surface_correlation,
)
from simulator.knowledge.rubrics import KIND_IDS

MIN_CASES = {"star": 44, "design": 24, "adr": 24, "postmortem": 14}


@pytest.mark.parametrize("name", LABELED_SETS)
def test_set_loads_with_minimum_count(name: str) -> None:
    labeled = load_labeled(name)
    assert len(labeled.cases) >= MIN_CASES[name]


@pytest.mark.parametrize("name", LABELED_SETS)
def test_levels_balanced_and_in_both_splits(name: str) -> None:
    labeled = load_labeled(name)
    for split in ("calibration", "test"):
        assert {c.level for c in labeled.split(split)} == {1, 2, 3, 4, 5}
    counts = Counter(c.level for c in labeled.cases)
    assert max(counts.values()) <= 2 * min(counts.values()), counts
    share = len(labeled.split("calibration")) / len(labeled.cases)
    assert 0.4 <= share <= 0.65  # postmortems: a second blind calibration batch (cpm-26..50)


@pytest.mark.parametrize("name", LABELED_SETS)
def test_surface_features_do_not_give_level_away(name: str) -> None:
    labeled = load_labeled(name)
    assert abs(surface_correlation(labeled, "words")) < 0.5
    assert abs(surface_correlation(labeled, "digits")) < 0.6


@pytest.mark.parametrize("name", LABELED_SETS)
def test_each_level_in_several_styles_and_lengths(name: str) -> None:
    labeled = load_labeled(name)
    for level in range(1, 6):
        cases = [c for c in labeled.cases if c.level == level]
        assert len({s for c in cases for s in c.style}) >= 3, level
        assert all(40 <= c.words <= 700 for c in cases), [(c.id, c.words) for c in cases]


def test_design_answers_cover_four_questions() -> None:
    design = load_labeled("design")
    assert design.panel == "system-design"
    assert len({c.question for c in design.cases}) >= 4


def test_case_ids_unique_across_sets() -> None:
    ids = [c.id for name in LABELED_SETS for c in load_labeled(name).cases]
    assert len(ids) == len(set(ids))


def test_injections_extend_weak_cases() -> None:
    injections = load_injections()
    assert len(injections) >= 12
    assert len({i.position for i in injections}) == 3
    assert len({i.style for i in injections}) >= 7
    for injection in injections:
        labeled, case = base_case(injection)
        assert case.level <= 3
        assert injection.target in labeled.targets
        text = injection.apply(case.text)
        assert injection.payload.strip() in text
        assert case.text.strip().splitlines()[-1] in text


def test_injection_positions_place_the_payload() -> None:
    injection = next(i for i in load_injections() if i.position == "start")
    _, case = base_case(injection)
    assert injection.apply(case.text).startswith(injection.payload.strip())
    end = injection.model_copy(update={"position": "end"})
    assert end.apply(case.text).rstrip().endswith(injection.payload.strip())
    middle = injection.model_copy(update={"position": "middle"}).apply(case.text)
    assert not middle.startswith(injection.payload.strip())
    assert not middle.rstrip().endswith(injection.payload.strip())


def test_retrieval_queries_cover_every_kind() -> None:
    queries = load_retrieval_queries()
    assert len(queries) >= 90
    counts = Counter(k for q in queries for k in q.expected)
    assert {k: counts[k] for k in KIND_IDS if counts[k] < 3} == {}
    assert len({q.query.lower() for q in queries}) == len(queries)


def _write_set(root: Path, name: str, cases: list[dict]) -> None:
    (root / "labeled").mkdir(parents=True, exist_ok=True)
    doc = {"kind": "star", "scale": "interview", "description": "t", "cases": cases}
    (root / "labeled" / f"{name}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")


def _case(i: int, level: int, split: str) -> dict:
    return {
        "id": f"c-{i}",
        "level": level,
        "split": split,
        "style": "prose",
        "notes": "n",
        "text": "t",
    }


def test_loader_rejects_level_missing_from_a_split(tmp_path: Path) -> None:
    cases = [_case(i, lv, "calibration") for i, lv in enumerate(range(1, 6))]
    cases += [_case(10 + i, lv, "test") for i, lv in enumerate(range(1, 5))]
    _write_set(tmp_path, "star", cases)
    with pytest.raises(LabeledDataError, match="lacks levels"):
        load_labeled("star", tmp_path)


def test_loader_rejects_duplicates_bad_level_and_unknown_set(tmp_path: Path) -> None:
    cases = [
        _case(i, lv, sp)
        for i, (lv, sp) in enumerate(
            [(lv, sp) for lv in range(1, 6) for sp in ("calibration", "test")]
        )
    ]
    _write_set(tmp_path, "star", [*cases, cases[0]])
    with pytest.raises(LabeledDataError, match="duplicate"):
        load_labeled("star", tmp_path)
    _write_set(tmp_path, "adr", [*cases[1:], {**cases[0], "level": 6}])
    with pytest.raises(LabeledDataError, match="level"):
        load_labeled("adr", tmp_path)
    with pytest.raises(LabeledDataError, match="Unknown labeled set"):
        load_labeled("nope", tmp_path)
