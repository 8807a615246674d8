"""Every rubric's checklist is data that works: each check passes on its own example and not
on the generic version of it, and every signal of every rubric has 2-6 checks."""

from __future__ import annotations

import pytest

from simulator.grading.checklist import passes
from simulator.knowledge.rubrics import load_artifact_rubrics, load_panels


def _rubrics():
    return [*load_panels().values(), *load_artifact_rubrics().values()]


def _checks():
    for rubric in _rubrics():
        for signal in rubric.signals:
            for check in signal.checks:
                yield pytest.param(check, id=f"{rubric.id}.{signal.id}.{check.id}")
        for pitfall in rubric.pitfalls:
            if pitfall.check is not None:
                yield pytest.param(pitfall.check, id=f"{rubric.id}.pitfall.{pitfall.id}")


@pytest.mark.parametrize("check", list(_checks()))
def test_check_passes_its_example_and_not_the_generic_version(check):
    assert passes(check, check.example), f"{check.id} does not pass its example"
    assert not passes(check, check.generic), f"{check.id} passes the generic sentence"


@pytest.mark.parametrize("rubric", _rubrics(), ids=lambda r: r.id)
def test_every_signal_has_two_to_six_checks(rubric):
    for signal in rubric.signals:
        assert 2 <= len(signal.checks) <= 6, f"{rubric.id}.{signal.id}: {len(signal.checks)} checks"
