"""The retrieval benchmark's metric arithmetic and its query loading."""

from __future__ import annotations

import pytest

from simulator.bench import __main__ as bench_main
from simulator.bench.retrieval import first_rank, load_queries, score


def test_first_rank_and_scores():
    assert first_rank(["adr", "slo", "dr"], ("slo", "dr")) == 2
    assert first_rank(["adr"], ("slo",)) is None
    metrics = score([1, 2, None, 4])
    assert metrics == {
        "recall@1": 0.25,
        "recall@3": 0.5,
        "mrr": pytest.approx((1 + 0.5 + 0.25) / 4),
    }


def test_queries_load_from_a_yaml_file(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("queries:\n- {id: a, query: 'burn rate', expected: [slo]}\n", encoding="utf-8")
    (query,) = load_queries(path)
    assert query.expected == ("slo",) and query.query == "burn rate"


def test_unknown_benchmark_is_refused(capsys):
    assert bench_main.main(["nope"]) == 2
    assert "retrieval" in capsys.readouterr().err
