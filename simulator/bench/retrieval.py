"""Retrieval quality (recall@1, recall@3, MRR for BM25, dense, hybrid) and warm query latency.

A query counts as found at rank r when the r-th distinct section returned belongs to one of
its expected compendium kinds; recall@k is the share of queries found within k, MRR the mean
of 1/r over the top 10 (0 when not found).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

from simulator.bench._common import percentile, scratch_settings, table

MODES = ("bm25", "dense", "hybrid")
DEPTH = 10


@dataclass(frozen=True)
class Query:
    id: str
    query: str
    expected: tuple[str, ...]


def load_queries(path: Path | None = None) -> list[Query]:
    """The labeled query set (evals/suites/retrieval_queries.yaml unless `path` is given)."""
    if path is None:
        from simulator.evals.labeled import load_retrieval_queries

        return [Query(q.id, q.query, tuple(q.expected)) for q in load_retrieval_queries()]
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = data["queries"] if isinstance(data, dict) else data
    return [Query(q["id"], q["query"], tuple(q["expected"])) for q in items]


def first_rank(kinds: list[str], expected: tuple[str, ...]) -> int | None:
    return next((i for i, kind in enumerate(kinds, start=1) if kind in expected), None)


def score(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    return {
        "recall@1": sum(r is not None and r <= 1 for r in ranks) / n,
        "recall@3": sum(r is not None and r <= 3 for r in ranks) / n,
        "mrr": sum(1.0 / r for r in ranks if r is not None) / n,
    }


def evaluate(retriever, queries: list[Query]) -> tuple[dict[str, dict[str, float]], dict]:
    """Metrics per mode, and the queries hybrid missed at 3."""
    results, misses = {}, {}
    for mode in MODES:
        ranks = []
        for q in queries:
            kinds = [h.kind for h in retriever.search(q.query, DEPTH, mode=mode)]
            ranks.append(first_rank(kinds, q.expected))
            if mode == "hybrid" and (ranks[-1] is None or ranks[-1] > 3):
                misses[q.id] = (q.query, q.expected, kinds[:3])
        results[mode] = score(ranks)
    return results, misses


def latency(retriever, queries: list[Query], rounds: int = 3) -> list[float]:
    """Warm hybrid query latency in ms (query embedding, BM25, Chroma, fusion)."""
    for q in queries[:5]:
        retriever.search(q.query, 5)
    times = []
    for _ in range(rounds):
        for q in queries:
            start = time.perf_counter()
            retriever.search(q.query, 5)
            times.append((time.perf_counter() - start) * 1000)
    return times


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator.bench retrieval")
    parser.add_argument("--queries", type=Path, default=None, help="Another labeled YAML set.")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args(argv)

    from simulator.store.chroma import Store
    from simulator.store.ingest import ingest_compendium
    from simulator.store.retrieval import Retriever

    queries = load_queries(args.queries)
    with scratch_settings() as settings:
        store = Store(settings)
        ingest_compendium(store)
        retriever = Retriever(store)
        results, misses = evaluate(retriever, queries)
        times = latency(retriever, queries)
    print(f"Retrieval quality: {len(queries)} labeled queries, compendium sections as targets")
    print(
        table(
            ["ranker", "recall@1", "recall@3", "MRR"],
            [[m, r["recall@1"], r["recall@3"], r["mrr"]] for m, r in results.items()],
        )
    )
    target = results["hybrid"]["recall@3"]
    print(
        f"hybrid recall@3 {target:.3f} (target >= 0.95: {'met' if target >= 0.95 else 'NOT met'})"
    )
    p50, p95 = percentile(times, 50), percentile(times, 95)
    print(
        f"Warm hybrid query latency over {len(times)} queries: p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms (target p95 < 50 ms: {'met' if p95 < 50 else 'NOT met'})"
    )
    if args.show_misses:
        for qid, (query, expected, got) in misses.items():
            print(f"  miss {qid}: {query!r} expected {list(expected)} got {got}")
    return 0
