"""What the benchmarks share: a throwaway data root and a small table printer."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np


@contextmanager
def scratch_settings() -> Iterator:
    """Settings on a temporary data root, so a benchmark never touches the user's store."""
    from simulator.config import Settings

    with tempfile.TemporaryDirectory(prefix="staffsim-bench-") as tmp:
        yield Settings(home=Path(tmp), chroma_host=None, chroma_port=None)


def percentile(values_ms: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values_ms), q))


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table with right-aligned numbers."""
    cells = [[str(h) for h in headers]] + [
        [f"{c:.3f}" if isinstance(c, float) else str(c) for c in row] for row in rows
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
