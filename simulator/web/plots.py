"""Matplotlib figures for the page: radar of signal scores, KPI bars, coverage heatmap, trend."""

from __future__ import annotations

import math
import textwrap

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402 (after the backend is chosen)

from simulator.progress import Cadence, KPIStatus  # noqa: E402

_ACCENT = "#2563eb"
_MUTED = "#9ca3af"
_GOOD = "#16a34a"
_WARN = "#ea580c"


def _label(text: str, width: int = 16) -> str:
    return "\n".join(textwrap.wrap(text, width)[:3])


def radar(scores: list[tuple[str, float]], *, title: str = "", top: float = 4.0) -> Figure:
    """A polar plot of signal scores (0-`top`), one spoke per signal."""
    fig = Figure(figsize=(5.2, 5.2), dpi=100)
    ax = fig.add_subplot(projection="polar")
    if len(scores) < 3:
        scores = scores + [("", 0.0)] * (3 - len(scores))
    names = [n for n, _ in scores]
    values = [v for _, v in scores]
    angles = [2 * math.pi * i / len(scores) for i in range(len(scores))]
    ax.plot(angles + angles[:1], values + values[:1], color=_ACCENT, linewidth=2)
    ax.fill(angles + angles[:1], values + values[:1], color=_ACCENT, alpha=0.25)
    ax.set_xticks(angles)
    ax.set_xticklabels([_label(n) for n in names], fontsize=8)
    ax.set_ylim(0, top)
    ax.set_yticks(range(1, int(top) + 1))
    ax.tick_params(axis="y", labelsize=7, colors=_MUTED)
    if title:
        ax.set_title(title, fontsize=11, pad=18)
    fig.tight_layout()
    return fig


def kpi_bars(kpis: list[KPIStatus]) -> Figure:
    """Each KPI's count as a bar against its target (a dashed line at 100%)."""
    fig = Figure(figsize=(7.5, 0.55 * len(kpis) + 1.2), dpi=100)
    ax = fig.add_subplot()
    labels = [_label(k.text, 28) for k in kpis][::-1]
    fractions = [k.fraction * 100 for k in kpis][::-1]
    colors = [_GOOD if k.met else _ACCENT for k in kpis][::-1]
    bars = ax.barh(labels, fractions, color=colors)
    for bar, k in zip(bars, kpis[::-1], strict=True):
        ax.text(
            min(bar.get_width(), 100) + 1,
            bar.get_y() + bar.get_height() / 2,
            f"{k.actual:g} / {k.target:g}",
            va="center",
            fontsize=9,
        )
    ax.axvline(100, color=_MUTED, linestyle="--", linewidth=1)
    ax.set_xlim(0, 118)
    ax.set_xlabel("% of target")
    ax.set_title("Compendium KPIs", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def coverage_heatmap(panels: list[str], coverage: dict[tuple[str, str], int]) -> Figure:
    """Mock sessions per panel (rows) and month (columns)."""
    months = sorted({m for _, m in coverage}) or ["(none yet)"]
    grid = [[coverage.get((p, m), 0) for m in months] for p in panels]
    fig = Figure(figsize=(max(4.5, 1.1 * len(months) + 3), 0.45 * len(panels) + 1.4), dpi=100)
    ax = fig.add_subplot()
    image = ax.imshow(grid, cmap="Blues", aspect="auto", vmin=0, vmax=max(2, max(map(max, grid))))
    ax.set_xticks(range(len(months)), months, fontsize=8)
    ax.set_yticks(range(len(panels)), panels, fontsize=8)
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center", fontsize=8, color="#111827")
    fig.colorbar(image, ax=ax, label="mocks", shrink=0.8)
    ax.set_title("Panel coverage", fontsize=11)
    fig.tight_layout()
    return fig


def pass_trend(points: list[tuple[str, float, int]]) -> Figure:
    """Mock pass rate per month, with the number of mocks on each point."""
    fig = Figure(figsize=(6, 3), dpi=100)
    ax = fig.add_subplot()
    if points:
        months = [p[0] for p in points]
        rates = [p[1] * 100 for p in points]
        ax.plot(months, rates, marker="o", color=_ACCENT)
        for month, rate, (_, _, n) in zip(months, rates, points, strict=True):
            ax.annotate(
                f"n={n}",
                (month, rate),
                textcoords="offset points",
                xytext=(0, 8),
                ha="center",
                fontsize=8,
            )
    else:
        ax.set_xticks([])
        ax.text(
            0.5,
            0.5,
            "No finished mock interviews yet",
            ha="center",
            va="center",
            transform=ax.transAxes,
            color=_MUTED,
        )
    ax.set_ylim(0, 110)
    ax.set_ylabel("pass rate %")
    ax.set_title("Mock pass rate (Hire or better)", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def cadence_timeline(cadence: Cadence) -> Figure:
    """The four cadence months as a band, with a marker at today."""
    fig = Figure(figsize=(7.5, 1.5), dpi=100)
    ax = fig.add_subplot()
    n = len(cadence.phases)
    for i, phase in enumerate(cadence.phases):
        current = i + 1 == cadence.month
        ax.barh(0, 1, left=i, color=_ACCENT if current else "#dbeafe", edgecolor="white")
        ax.text(
            i + 0.5,
            0,
            _label(phase.name, 22),
            ha="center",
            va="center",
            fontsize=8,
            color="white" if current else "#1e3a8a",
        )
    ax.axvline(cadence.fraction * n, color=_WARN, linewidth=2)
    ax.text(cadence.fraction * n, 0.55, f"day {cadence.day}", color=_WARN, fontsize=8, ha="center")
    ax.set_xlim(0, n)
    ax.set_ylim(-0.6, 0.8)
    ax.axis("off")
    fig.tight_layout()
    return fig
