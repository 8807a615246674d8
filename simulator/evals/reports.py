"""A run's four reports: JSON (machines), Markdown (people), JUnit XML (CI), HTML (plots)."""

from __future__ import annotations

import base64
import html
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from simulator.config import get_settings
from simulator.errors import UserError
from simulator.evals.results import REPORT_JSON, RunResult, SuiteResult, load_run

REPORT_MD = "report.md"
JUNIT_XML = "junit.xml"
REPORT_HTML = "report.html"
_INDEX = "runs.jsonl"
_WORST = 5


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _headline(suite: SuiteResult) -> str:
    keys = [t.metric for t in suite.thresholds] or [k for k in suite.metrics if k != "n"][:2]
    return ", ".join(f"{k} {_fmt(suite.metrics.get(k))}" for k in keys)


def summary_markdown(run: RunResult) -> str:
    """The verdict and one row per suite."""
    verdict = "PASSED" if run.passed else "FAILED"
    lines = [
        f"# Eval run {run.run_id}: {verdict}",
        "",
        f"Engine `{run.engine}` ({run.mode}), commit `{run.commit or '?'}`, "
        f"{run.totals.get('cases', 0):g} cases in {run.duration_s:.1f}s, "
        f"tokens {run.totals.get('tokens_in', 0):g} in / {run.totals.get('tokens_out', 0):g} out, "
        f"est. cost ${run.totals.get('cost_usd', 0):.4f}.",
        "",
        "| suite | status | cases | headline | thresholds (gate) | targets (reported) |",
        "|---|---|---|---|---|---|",
    ]
    for s in run.suites:
        gates = "; ".join(
            f"{t.metric} {t.bound} {'ok' if t.passed else 'FAIL'}" for t in s.thresholds
        )
        goals = "; ".join(
            f"{t.metric} {t.bound} {'met' if t.passed else 'not met'}" for t in s.targets
        )
        status = s.status if s.status != "skip" else f"skip ({s.reason})"
        lines.append(
            f"| {s.id} | {status} | {len(s.cases)} | {_headline(s)} | {gates or '—'} | {goals or '—'} |"
        )
    if run.shortfalls:
        lines += ["", "## Fell short", "", *[f"- {line}" for line in run.shortfalls]]
    return "\n".join(lines) + "\n"


def _suite_markdown(s: SuiteResult) -> list[str]:
    lines = ["", f"## {s.id} ({s.type}): {s.status}", ""]
    if s.description:
        lines += [s.description, ""]
    if s.status == "skip":
        return [*lines, f"Skipped: {s.reason}."]
    lines += ["| metric | value |", "|---|---|"]
    lines += [f"| {k} | {_fmt(v)} |" for k, v in s.metrics.items()]
    confusion = s.details.get("confusion")
    if confusion:
        lines += [
            "",
            "Confusion (rows: label 1-5, columns: grader 1-5):",
            "",
            "| label | 1 | 2 | 3 | 4 | 5 |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {i} | " + " | ".join(str(v) for v in row) + " |"
            for i, row in enumerate(confusion, start=1)
        ]
    worst = sorted((c for c in s.cases if c.status != "pass"), key=lambda c: -c.miss)[:_WORST]
    if worst:
        lines += [
            "",
            "Worst cases:",
            "",
            "| case | status | expected | observed | note |",
            "|---|---|---|---|---|",
        ]
        for c in worst:
            exp = json.dumps(c.expected, default=str)[:80]
            obs = json.dumps(c.observed, default=str)[:120]
            note = c.message.replace("\n", " ")[:160]
            lines.append(f"| {c.id} | {c.status} | `{exp}` | `{obs}` | {note} |")
    return lines


def markdown(run: RunResult) -> str:
    """The Markdown report: summary, per-suite tables, worst cases."""
    lines = [summary_markdown(run).rstrip("\n")]
    for s in run.suites:
        lines += _suite_markdown(s)
    return "\n".join(lines) + "\n"


def junit(run: RunResult) -> str:
    """JUnit XML: one testsuite per suite; each threshold and each errored case a testcase."""
    root = ET.Element(
        "testsuites", name=f"staffsim-eval {run.run_id}", time=f"{run.duration_s:.2f}"
    )
    for s in run.suites:
        errors = [c for c in s.cases if c.status == "error"]
        node = ET.SubElement(
            root,
            "testsuite",
            name=s.id,
            time=f"{s.duration_s:.2f}",
            tests=str(len(s.thresholds) + len(errors) or 1),
            failures=str(sum(not t.passed for t in s.thresholds)),
            errors=str(len(errors)),
            skipped=str(int(s.status == "skip")),
        )
        props = ET.SubElement(node, "properties")
        for k, v in s.metrics.items():
            ET.SubElement(props, "property", name=k, value=_fmt(v))
        for t in s.targets:
            verdict = "met" if t.passed else "not met"
            ET.SubElement(props, "property", name=f"target {t.metric} {t.bound}", value=verdict)
        if s.status == "skip":
            case = ET.SubElement(node, "testcase", classname=f"eval.{s.id}", name="suite")
            ET.SubElement(case, "skipped", message=s.reason)
            continue
        for t in s.thresholds:
            case = ET.SubElement(
                node, "testcase", classname=f"eval.{s.id}", name=f"{t.metric} {t.bound}"
            )
            if not t.passed:
                ET.SubElement(
                    case, "failure", message=f"{t.metric} = {_fmt(t.value)}, needs {t.bound}"
                )
        for c in errors:
            case = ET.SubElement(node, "testcase", classname=f"eval.{s.id}", name=c.id)
            ET.SubElement(case, "error", message=c.message[:500]).text = c.message
        if not s.thresholds and not errors:
            ET.SubElement(node, "testcase", classname=f"eval.{s.id}", name="ran")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _plots(s: SuiteResult) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = []
    d = s.details
    if d.get("confusion"):
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.2))
        ax1.imshow(d["confusion"], cmap="Blues")
        for i, row in enumerate(d["confusion"]):
            for j, v in enumerate(row):
                ax1.text(j, i, str(v), ha="center", va="center")
        ax1.set(
            title="confusion",
            xlabel="grader",
            ylabel="label",
            xticks=range(5),
            yticks=range(5),
            xticklabels=range(1, 6),
            yticklabels=range(1, 6),
        )
        bins = [0.5 + i for i in range(6)]
        ax2.hist([d["labels"], d["levels"]], bins=bins, label=["label", "grader"])
        ax2.set(title="score distribution", xlabel="level")
        ax2.legend()
        out.append(_png(fig))
    if d.get("full"):
        fig, ax = plt.subplots(figsize=(4, 3.2))
        ax.scatter(d["full"], d["degraded"], s=12)
        top = max([*d["full"], *d["degraded"], 0.01])
        ax.plot([0, top], [0, top], color="grey", lw=0.8)
        ax.set(title="full vs degraded", xlabel="full", ylabel="degraded")
        out.append(_png(fig))
    if d.get("ranks"):
        fig, ax = plt.subplots(figsize=(5, 3.2))
        for mode, ranks in d["ranks"].items():
            ax.hist([r or 11 for r in ranks], bins=range(1, 13), alpha=0.5, label=mode)
        ax.set(title="rank of first relevant section (11 = miss)", xlabel="rank")
        ax.legend()
        out.append(_png(fig))
    return out


def html_page(run: RunResult) -> str:
    """A self-contained HTML page: summary, metric tables and inline PNG plots."""
    esc = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>StaffSim eval {esc(run.run_id)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 8px}.fail{color:#b00}.pass{color:#070}</style>",
        "</head><body>",
        f"<h1>Eval run {esc(run.run_id)}: <span class='{'pass' if run.passed else 'fail'}'>"
        f"{'PASSED' if run.passed else 'FAILED'}</span></h1>",
        f"<p>Engine {esc(run.engine)} ({esc(run.mode)}), {run.duration_s:.1f}s.</p>",
    ]
    if run.shortfalls:
        parts.append(
            "<ul>" + "".join(f"<li class='fail'>{esc(x)}</li>" for x in run.shortfalls) + "</ul>"
        )
    for s in run.suites:
        parts.append(f"<h2>{esc(s.id)} <span class='{s.status}'>{s.status}</span></h2>")
        if s.status == "skip":
            parts.append(f"<p>Skipped: {esc(s.reason)}</p>")
            continue
        rows = "".join(
            f"<tr><td>{esc(k)}</td><td>{esc(_fmt(v))}</td></tr>" for k, v in s.metrics.items()
        )
        parts.append(f"<table>{rows}</table>")
        for label, checks in (("gate", s.thresholds), ("target", s.targets)):
            if checks:
                items = "".join(
                    f"<li class='{'pass' if t.passed else 'fail'}'>{esc(t.metric)} "
                    f"{esc(t.bound)}: {esc(_fmt(t.value))}</li>"
                    for t in checks
                )
                parts.append(f"<p>{label}s:</p><ul>{items}</ul>")
        parts += [
            f"<p><img alt='{esc(s.id)} plot' src='data:image/png;base64,{img}'></p>"
            for img in _plots(s)
        ]
    parts.append("</body></html>")
    return "\n".join(parts)


def write_reports(run: RunResult, folder: Path) -> dict[str, Path]:
    """Write the four reports into `folder` and remember it as the latest run."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "json": (REPORT_JSON, run.model_dump_json(indent=2)),
        "markdown": (REPORT_MD, markdown(run)),
        "junit": (JUNIT_XML, junit(run)),
        "html": (REPORT_HTML, html_page(run)),
    }
    out = {}
    for kind, (name, text) in files.items():
        (folder / name).write_text(text, encoding="utf-8")
        out[kind] = folder / name
    _remember(run, folder)
    return out


def runs_dir() -> Path:
    """Where runs are kept by default: `$STAFFSIM_HOME/evals/`."""
    return get_settings().home / "evals"


def _remember(run: RunResult, folder: Path) -> None:
    index = runs_dir() / _INDEX
    index.parent.mkdir(parents=True, exist_ok=True)
    entry = {"run_id": run.run_id, "dir": str(folder.resolve()), "passed": run.passed}
    with index.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry) + "\n")


def _index() -> list[dict]:
    index = runs_dir() / _INDEX
    if not index.is_file():
        return []
    rows = []
    for line in index.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows


def resolve_run(ref: str) -> Path:
    """A run folder from a path, a run id, or `latest`."""
    path = Path(ref)
    if path.is_dir() and (path / REPORT_JSON).is_file():
        return path
    if path.is_file() and path.name == REPORT_JSON:
        return path.parent
    rows = _index()
    if ref == "latest":
        rows = [r for r in rows if (Path(r["dir"]) / REPORT_JSON).is_file()]
        if rows:
            return Path(rows[-1]["dir"])
    else:
        for row in reversed(rows):
            if row["run_id"] == ref:
                return Path(row["dir"])
        if (runs_dir() / ref / REPORT_JSON).is_file():
            return runs_dir() / ref
    raise UserError(f"No eval run {ref!r}; give a run folder, a run id or `latest`.")


def latest_run() -> RunResult | None:
    """The most recent run written on this machine, if any."""
    try:
        return load_run(resolve_run("latest"))
    except UserError:
        return None
