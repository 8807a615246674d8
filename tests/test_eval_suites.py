"""Suite files: validation, selection, and the realworld degradations built from headings."""

import pytest

from simulator.evals.degrade import degrade, title
from simulator.evals.suites import Bound, SuiteError, find_suites, load_suite

DOC = """# Design a URL shortener

## Requirements
Short links, 100M a day.

## Scaling the design
### Caching
Put Redis in front.

```
# not a heading: a shell comment
```

## Failure modes
Redis down: fall back to the database.

## Summary
Done.
"""


def test_degrade_drops_matching_sections_with_their_subsections():
    out, removed = degrade(DOC, ["scal", "failure"])
    assert removed == ["Scaling the design", "Failure modes"]
    assert "Redis" not in out
    assert "## Requirements" in out and "## Summary" in out


def test_degrade_ignores_fenced_lines_and_keeps_the_title():
    out, removed = degrade(DOC, ["shell", "url shortener"])
    assert removed == []
    assert out == DOC
    assert title(DOC) == "Design a URL shortener"


def test_bound_check_and_describe():
    assert Bound(min=0.75).check(0.8) and not Bound(min=0.75).check(0.7)
    assert not Bound(max=0).check(1) and Bound(max=0).check(0)
    assert not Bound(min=0).check(None)
    assert Bound(min=0.5, max=1).describe() == ">= 0.5 and <= 1"


def test_shipped_suites_load_and_reference_real_data():
    suites = {s.id: s for s in find_suites()}
    assert {"star", "design", "adr", "postmortem", "injection", "retrieval"} <= set(suites)
    for name in ("star", "design", "adr", "postmortem"):
        # The target is reported; the gate is a regression floor at or under it.
        assert suites[name].targets["qwk"].min == 0.75
        assert 0 < suites[name].thresholds["qwk"].min <= 0.75
    star = suites["star"].cases()
    assert star and all(c.expected["level"] in range(1, 6) for c in star)
    assert len(suites["retrieval"].cases()) >= 100
    inj = suites["injection"].cases()
    assert all(c.inputs["question"] for c in inj if c.target.startswith("grade "))


def test_bad_suite_file_names_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("type: labeled\nid: x\nsource: a.yaml\ntarget: critique star\nsplit: nope\n")
    with pytest.raises(SuiteError, match="bad.yaml: labeled.split"):
        load_suite(path)


def test_unknown_suite_lists_known_ones():
    with pytest.raises(SuiteError, match="star"):
        find_suites(["no-such-suite"])
