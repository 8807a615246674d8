"""Ingestion throughput: the whole pipeline against the model's raw encode, same chunks, same run.

The pipeline is read -> chunk (tiktoken) -> embed -> Chroma add, into a fresh store; the raw
figure is the embedding model encoding exactly the texts the pipeline embedded. Each is run
`--repeat` times and the best kept, so a cold cache or a noisy neighbour does not decide it.
"""

from __future__ import annotations

import argparse
import time

from simulator.bench._common import scratch_settings, table


def _pipeline(settings, copies: int, embedder) -> tuple[float, list[str]]:
    from simulator.store.chroma import COMPENDIUM, Store
    from simulator.store.chunking import chunk_markdown
    from simulator.store.ingest import compendium_path
    from simulator.textio import read_text_file

    store = Store(settings, embedder=embedder)
    store.drop(COMPENDIUM)
    start = time.perf_counter()
    docs = {}
    for n in range(copies):
        # Copies stand for distinct documents of compendium size; each gets its own ids.
        text = read_text_file(compendium_path())
        docs[f"copy{n}"] = chunk_markdown(text, source="compendium.md", doc_id=f"copy{n}")
    store.sync_documents(COMPENDIUM, docs)
    elapsed = time.perf_counter() - start
    return elapsed, [c.embed_text for chunks in docs.values() for c in chunks]


def _raw(embedder, texts: list[str]) -> float:
    start = time.perf_counter()
    embedder.encode(texts)
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator.bench ingest")
    parser.add_argument("--copies", type=int, default=6, help="Compendium-sized documents.")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from simulator.store.embeddings import get_embedder

    embedder = get_embedder("local")
    embedder.encode(["warm up the model"] * 8)
    pipeline_s, raw_s = [], []
    with scratch_settings() as settings:
        for _ in range(args.repeat):
            elapsed, texts = _pipeline(settings, args.copies, embedder)
            pipeline_s.append(elapsed)
            raw_s.append(_raw(embedder, texts))
    n = len(texts)
    best_pipe, best_raw = min(pipeline_s), min(raw_s)
    ratio = best_pipe / best_raw
    print(
        f"Ingestion: {n} chunks ({args.copies} compendium-sized documents), best of {args.repeat}"
    )
    print(
        table(
            ["stage", "seconds", "chunks/s"],
            [
                ["raw encode (all-MiniLM-L6-v2)", best_raw, n / best_raw],
                ["pipeline (read+chunk+embed+Chroma)", best_pipe, n / best_pipe],
            ],
        )
    )
    verdict = "met" if ratio <= 1.25 else "NOT met"
    print(f"pipeline / raw encode = {ratio:.2f}x (target <= 1.25x: {verdict})")
    return 0
