"""Matplotlib figures for the page: radar of signal scores, KPI bars, coverage heatmap, pass
rates, per-signal trends.

Every figure is drawn on its own opaque white card with dark text, so it reads the same in
the light and the dark theme; text on a coloured cell picks black or white by the cell's
luminance.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402 (after the backend is chosen)

from simulator.progress import Cadence, KPIStatus, TrendPoint  # noqa: E402

_ACCENT = "#2563eb"
_MUTED = "#6b7280"
_GOOD = "#16a34a"
_WARN = "#ea580c"
_INK = "#111827"
_CARD = "white"
#: Lines of a trend plot, distinct in colour and marker.
_LINES = ("#2563eb", "#ea580c", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04", "#4b5563")
_MARKERS = "os^DvP*X"


def _figure(width: float, height: float) -> Figure:
    """A figure on an opaque white card (never transparent: the dark theme would show through)."""
    return Figure(figsize=(width, height), dpi=100, facecolor=_CARD)


def ink_on(rgba) -> str:
    """Black or white text, whichever reads on a cell of colour `rgba` (WCAG luminance)."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgba[:3])
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return _INK if luminance > 0.179 else "white"


def _label(text: str, width: int = 16) -> str:
    return "\n".join(textwrap.wrap(text, width)[:3])


def radar(scores: list[tuple[str, float]], *, title: str = "", top: float = 4.0) -> Figure:
    """A polar plot of signal scores (0-`top`), one spoke per signal."""
    fig = _figure(5.2, 5.2)
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
    fig = _figure(7.5, 0.55 * len(kpis) + 1.2)
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
    fig = _figure(max(4.5, 1.1 * len(months) + 3), 0.45 * len(panels) + 1.4)
    ax = fig.add_subplot()
    top = max(2, max(map(max, grid)))
    image = ax.imshow(grid, cmap="Blues", aspect="auto", vmin=0, vmax=top)
    ax.set_xticks(range(len(months)), months, fontsize=8)
    ax.set_yticks(range(len(panels)), panels, fontsize=8)
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            color = ink_on(image.cmap(image.norm(value)))
            ax.text(j, i, str(value), ha="center", va="center", fontsize=9, color=color)
    fig.colorbar(image, ax=ax, label="mocks", shrink=0.8)
    ax.set_title("Panel coverage (mocks per month)", fontsize=11)
    fig.tight_layout()
    return fig


def panel_pass_rates(panels: list[str], rates: dict[str, tuple[float, int]]) -> Figure:
    """Each panel's share of finished mocks at Hire or better, with how many mocks."""
    fig = _figure(7.5, 0.45 * len(panels) + 1.3)
    ax = fig.add_subplot()
    names = panels[::-1]
    values = [rates.get(p, (0.0, 0))[0] * 100 for p in names]
    colors = [_GOOD if rates.get(p, (0, 0))[0] >= 0.5 else _ACCENT for p in names]
    bars = ax.barh(names, values, color=colors)
    for bar, panel in zip(bars, names, strict=True):
        rate, n = rates.get(panel, (0.0, 0))
        label = f"{rate * 100:.0f}% of {n}" if n else "no mocks yet"
        x = bar.get_width() + 1 if n else 1
        ax.text(x, bar.get_y() + bar.get_height() / 2, label, va="center", fontsize=8, color=_INK)
    ax.set_xlim(0, 118)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("pass rate % (Hire or better)")
    ax.set_title("Pass rate per panel", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def signal_trend(title: str, points: list[TrendPoint]) -> Figure:
    """Each signal's score (0-4) on every graded piece of one rubric, oldest first."""
    fig = _figure(7.5, 3.6)
    ax = fig.add_subplot()
    if not points:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.text(0.5, 0.5, "Nothing graded yet: critique an artifact or finish a mock",
                ha="center", va="center", transform=ax.transAxes, color=_MUTED)  # fmt: skip
        ax.set_title("Signals over time", fontsize=11)
        return fig
    names = list(dict.fromkeys(n for p in points for n in p.scores))
    xs = list(range(len(points)))
    for i, name in enumerate(names):
        ys = [p.scores.get(name) for p in points]
        ax.plot(
            [x for x, y in zip(xs, ys, strict=True) if y is not None],
            [y for y in ys if y is not None],
            marker=_MARKERS[i % len(_MARKERS)],
            color=_LINES[i % len(_LINES)],
            linewidth=1.5,
            label=_label(name, 30).replace("\n", " "),
        )
    ax.set_xticks(xs, [p.day.strftime("%m-%d") for p in points], fontsize=8)
    ax.set_ylim(-0.2, 4.2)
    ax.set_yticks(range(5))
    ax.set_ylabel("score /4")
    ax.set_title(f"Signals over time: {title}", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    fig.tight_layout()
    return fig


def pass_trend(points: list[tuple[str, float, int]]) -> Figure:
    """Mock pass rate per month, with the number of mocks on each point."""
    fig = _figure(6, 3)
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
    fig = _figure(7.5, 1.5)
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
