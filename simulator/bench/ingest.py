"""Ingestion throughput: `staffsim add` of a generated 3 MB document against the raw encode.

The pipeline is what `staffsim add` runs: read -> detect kind -> chunk (tiktoken) -> embed ->
Chroma add under the pending mark -> commit, into a fresh store. The raw figure is the
embedding model encoding exactly the texts the pipeline embedded, in one call. Peak RSS is
the process's high-water mark (the model, the store and both runs).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

from simulator.bench._common import scratch_settings, table

TARGET_RATIO = 1.3
TARGET_RSS_GB = 1.5


def generated_document(megabytes: float, seed: int = 7) -> str:
    """A Markdown document of about `megabytes` MB: compendium words under many headings."""
    from simulator.store.ingest import compendium_path

    words = compendium_path().read_text(encoding="utf-8").split()
    rng = random.Random(seed)
    parts, size, section = ["# A generated design history\n\n"], 0, 0
    while size < megabytes * 1e6:
        section += 1
        block = [f"## {section}. {' '.join(rng.choices(words, k=4))}\n\n"]
        for _ in range(rng.randint(2, 6)):
            block.append(" ".join(rng.choices(words, k=rng.randint(30, 120))) + "\n\n")
        if section % 5 == 0:
            block.append("".join(f"- {' '.join(rng.choices(words, k=12))}\n" for _ in range(6)))
            block.append("\n")
        text = "".join(block)
        parts.append(text)
        size += len(text.encode())
    return "".join(parts)


class _Stages:
    """Records when each stage of the add began (a `Progress`), printed beside the totals."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.lines: list[str] = []

    def stage(self, name: str, total: int | None = None) -> None:
        self.lines.append(f"  {time.perf_counter() - self.start:7.1f} s  {name}")

    def advance(self, n: int) -> None:
        pass

    def done(self, summary: str) -> None:
        self.lines.append(f"  {time.perf_counter() - self.start:7.1f} s  {summary}")


def _pipeline(settings, path: Path, embedder) -> tuple[float, list[str], _Stages]:
    from simulator.store.chroma import Store
    from simulator.store.chunking import chunk_markdown
    from simulator.store.ingest import add_files, doc_id_for
    from simulator.textio import read_text_file

    store = Store(settings, embedder=embedder)
    stages = _Stages()
    start = time.perf_counter()
    (result,) = add_files(store, [path], user="bench", progress=stages)
    elapsed = time.perf_counter() - start
    # The same chunks again, outside the timing, for the raw figure.
    chunks = chunk_markdown(
        read_text_file(path),
        source=path.name,
        doc_id=doc_id_for(path, "bench"),
        kind=result.kind,
        user="bench",
    )
    assert len(chunks) == result.chunks == result.added
    return elapsed, [c.embed_text for c in chunks], stages


def _raw(embedder, texts: list[str]) -> float:
    start = time.perf_counter()
    embedder.encode(texts)
    return time.perf_counter() - start


def _peak_rss_gb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / (1024**3 if sys.platform == "darwin" else 1024**2)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator.bench ingest")
    parser.add_argument("--mb", type=float, default=3.0, help="Size of the generated document.")
    parser.add_argument("--repeat", type=int, default=1, help="Runs of each; the best is kept.")
    args = parser.parse_args(argv)

    from simulator.store.embeddings import get_embedder

    embedder = get_embedder("local")
    embedder.encode(["warm up the model"] * 8)
    pipeline_s, raw_s = [], []
    with scratch_settings() as settings:
        path = settings.home / "generated-design-history.md"
        settings.home.mkdir(parents=True, exist_ok=True)
        path.write_text(generated_document(args.mb), encoding="utf-8")
        size = path.stat().st_size
        for n in range(args.repeat):
            run = settings.model_copy(update={"home": settings.home / f"run{n}"})
            elapsed, texts, stages = _pipeline(run, path, embedder)
            pipeline_s.append(elapsed)
            raw_s.append(_raw(embedder, texts))  # right after, so both see the same machine
    n = len(texts)
    best_pipe, best_raw = min(pipeline_s), min(raw_s)
    ratio = best_pipe / best_raw
    rss = _peak_rss_gb()
    print(
        f"Ingestion: `staffsim add` of a generated {size / 1e6:.1f} MB Markdown document, "
        f"{n} chunks, best of {args.repeat}"
    )
    print("\n".join(stages.lines))
    print(
        table(
            ["stage", "seconds", "chunks/s"],
            [
                ["raw encode (all-MiniLM-L6-v2, same chunks)", best_raw, n / best_raw],
                ["add (read+detect+chunk+embed+Chroma+commit)", best_pipe, n / best_pipe],
            ],
        )
    )
    met = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"add / raw encode = {ratio:.2f}x (target <= {TARGET_RATIO}x: {met})")
    met = "met" if rss <= TARGET_RSS_GB else "NOT met"
    print(f"peak RSS {rss:.2f} GB (target <= {TARGET_RSS_GB} GB: {met})")
    return 0
