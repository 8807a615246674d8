"""`staffsim eval run` end to end on tiny suites: four reports, the gate, compare, replay misses."""

import json
import xml.etree.ElementTree as ET

import pytest
import yaml
from click.testing import CliRunner

from simulator.cli import cli
from simulator.config import EVALS_DIR

STAR_IDS = ["star-02", "star-04", "star-06"]


def _suite(tmp_path, name, **fields):
    data = {
        "type": "labeled",
        "id": name,
        "source": str(EVALS_DIR / "labeled" / "star.yaml"),
        "target": "critique star",
        "split": "all",
        "ids": STAR_IDS,
        **fields,
    }
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def _degradation(tmp_path):
    folder = tmp_path / "realworld" / "postmortem"
    folder.mkdir(parents=True)
    (folder / "outage.md").write_text(
        "# Checkout outage\n\n## Summary\nCheckout failed for 8% of requests for 18 minutes.\n\n"
        "## Timeline\n- 14:02 UTC deploy\n- 14:05 UTC alert fired\n- 14:20 UTC rollback\n\n"
        "## Root cause\nA config change set the pool size to 1.\n\n"
        "## Action items\n- Add a config lint (owner: Ana, due 2024-05-01)\n"
    )
    data = {
        "type": "degradation",
        "id": "degrade",
        "source": str(tmp_path / "realworld"),
        "measure": "signals",
        "groups": [
            {"folder": "postmortem", "target": "critique postmortem", "remove": ["timeline"]}
        ],
        "thresholds": {"ordering": {"min": 0.0}},
    }
    path = tmp_path / "degrade.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def _run(*args):
    return CliRunner().invoke(cli, ["eval", "run", "--no-progress", *args])


@pytest.fixture(scope="module")
def passing(tmp_path_factory):
    """One run that passes: a labeled suite, a degradation pair, a skipped suite."""
    tmp = tmp_path_factory.mktemp("eval")
    import os

    os.environ["STAFFSIM_HOME"] = str(tmp / "home")
    from simulator.config import get_settings

    get_settings.cache_clear()
    missing = tmp / "missing.yaml"
    missing.write_text(
        yaml.safe_dump(
            {
                "type": "degradation",
                "id": "nowhere",
                "source": str(tmp / "absent"),
                "groups": [{"folder": "adr", "target": "critique adr", "remove": ["x"]}],
            }
        )
    )
    suites = [
        _suite(tmp, "tiny", thresholds={"qwk": {"min": -1.0}}),
        _degradation(tmp),
        str(missing),
    ]
    out = tmp / "out"
    result = _run(*[a for s in suites for a in ("--suite", s)], "--report", str(out))
    yield result, out, tmp
    del os.environ["STAFFSIM_HOME"]
    get_settings.cache_clear()


def test_run_writes_four_reports_and_passes(passing):
    result, out, _ = passing
    assert result.exit_code == 0, result.output
    assert "tiny" in result.output and "qwk" in result.output
    report = json.loads((out / "report.json").read_text())
    assert report["passed"] is True
    tiny = next(s for s in report["suites"] if s["id"] == "tiny")
    assert [c["id"] for c in tiny["cases"]] == STAR_IDS
    assert {"qwk", "exact", "adjacent", "spearman", "latency_p95_ms"} <= set(tiny["metrics"])
    assert sum(map(sum, tiny["details"]["confusion"])) == 3
    junit = ET.parse(out / "junit.xml").getroot()
    assert {s.get("name") for s in junit} == {"tiny", "degrade", "nowhere"}
    assert all(s.get("failures") == "0" for s in junit)
    assert "# Eval run" in (out / "report.md").read_text()
    page = (out / "report.html").read_text()
    assert "data:image/png;base64," in page


def test_degradation_pair_scored_and_missing_realworld_skipped(passing):
    _, out, _ = passing
    report = json.loads((out / "report.json").read_text())
    degrade = next(s for s in report["suites"] if s["id"] == "degrade")
    (case,) = degrade["cases"]
    assert case["expected"]["removed"] == ["Timeline"]
    assert case["observed"]["degraded"] < case["observed"]["full"]
    assert degrade["metrics"]["ordering"] == 1.0
    skipped = next(s for s in report["suites"] if s["id"] == "nowhere")
    assert skipped["status"] == "skip" and "not found" in skipped["reason"]


def test_latest_run_is_what_the_app_shows(passing, monkeypatch):
    from simulator import api
    from simulator.config import get_settings

    _, out, tmp = passing
    monkeypatch.setenv("STAFFSIM_HOME", str(tmp / "home"))
    get_settings.cache_clear()
    summary = api.latest_eval_summary()
    assert summary is not None and "PASSED" in summary
    assert json.loads((out / "report.json").read_text())["run_id"] in summary


def test_threshold_above_measured_fails_the_gate(passing):
    _, out, tmp = passing
    measured = json.loads((out / "report.json").read_text())["suites"][0]["metrics"]["qwk"]
    strict = _suite(tmp, "strict", thresholds={"qwk": {"min": round(measured + 0.01, 4)}})
    out2 = tmp / "out2"
    result = _run("--suite", strict, "--report", str(out2))
    assert result.exit_code == 1
    assert "strict: qwk" in result.output and "FAIL" in result.output
    junit = ET.parse(out2 / "junit.xml").getroot()
    assert junit[0].get("failures") == "1"

    compared = CliRunner().invoke(cli, ["eval", "compare", str(out), str(out2), "--json"])
    assert compared.exit_code == 0, compared.output
    data = json.loads(compared.output)
    assert data["passed"] == [True, False]
    tiny_qwk = [d for d in data["metrics"] if d["suite"] == "tiny" and d["metric"] == "qwk"]
    assert tiny_qwk[0]["b"] is None  # the second run had no `tiny` suite
    assert {c["suite"] for c in data["cases"]} >= {"tiny", "strict"}


def test_compare_shows_metric_deltas(passing, tmp_path):
    _, out, _ = passing
    other = tmp_path / "other"
    other.mkdir()
    report = json.loads((out / "report.json").read_text())
    report["run_id"] = "edited"
    report["suites"][0]["metrics"]["qwk"] += 0.5
    report["suites"][0]["cases"][0]["observed"]["level"] = 9
    (other / "report.json").write_text(json.dumps(report))
    result = CliRunner().invoke(cli, ["eval", "compare", str(out), str(other)])
    assert result.exit_code == 0, result.output
    assert "| tiny | qwk |" in result.output and "+0.5" in result.output
    assert "1 case(s) changed" in result.output and "star-02" in result.output


def test_replay_without_fixtures_fails_with_the_key(tmp_path, monkeypatch):
    monkeypatch.setenv("STAFFSIM_FIXTURES", str(tmp_path / "fixtures"))
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    suite = _suite(tmp_path, "replayed", ids=["star-02"])
    result = _run(
        "--suite", suite, "--engine", "openai:gpt-4o-mini", "--mode", "replay",
        "--report", str(tmp_path / "out"),
    )  # fmt: skip
    assert result.exit_code == 1
    assert "errored" in result.output and "key" in result.output.lower()


def test_unknown_run_is_one_sentence(tmp_path):
    result = CliRunner().invoke(cli, ["eval", "compare", "nope", "latest"])
    assert result.exit_code != 0
    assert "No eval run 'nope'" in str(result.exception or result.output)
