"""Hybrid cited retrieval over the ingested compendium and users' artifacts."""

from __future__ import annotations

import json

from click.testing import CliRunner

from simulator.cli import cli
from simulator.store.ingest import add_files
from simulator.store.langchain import StaffSimRetriever
from simulator.store.retrieval import Retriever, retrieve, tokenize

BURN = "how fast should a burn-rate alert page?"


def test_burn_rate_query_ranks_the_slo_section_first_with_citation(compendium_store):
    hits = retrieve(BURN, k=5)
    assert hits[0].kind == "slo"
    assert hits[0].section.startswith("3. SLO / Reliability Playbook")
    assert hits[0].citation.startswith("compendium.md § 3. SLO / Reliability Playbook")
    assert "burn rate" in hits[0].citation.lower()
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert len({(h.doc_id, h.section.split(" > ")[0]) for h in hits}) == 5  # one per section


def test_each_ranker_alone_also_works(compendium_store):
    retriever = Retriever(compendium_store)
    for mode in ("bm25", "dense"):
        hits = retriever.search(BURN, 3, mode=mode)
        assert hits and "slo" in [h.kind for h in hits], mode


def test_kind_and_section_filters(compendium_store):
    retriever = Retriever(compendium_store)
    hits = retriever.search("what goes wrong", 3, kinds=["postmortem", "dr"])
    assert hits and {h.kind for h in hits} <= {"postmortem", "dr"}
    hits = retriever.search("pitfalls", 5, sections=["3. SLO"], per_section=False)
    assert hits and all(h.section.startswith("3. SLO") for h in hits)


def test_the_warm_index_sees_new_documents(compendium_store, tmp_path):
    retriever = Retriever(compendium_store)
    assert all("zanzibar" not in h.text.lower() for h in retriever.search("zanzibar tuples", 5))
    note = tmp_path / "authz.md"
    note.write_text("# Authz\n\n## Model\nWe store zanzibar tuples in Spanner.\n", encoding="utf-8")
    add_files(compendium_store, [note], kind="threat")
    hits = retriever.search("zanzibar tuples", 5)
    assert hits[0].source == "authz.md" and hits[0].kind == "threat"


def test_ask_prints_one_json_object_per_query(compendium_store):
    runner = CliRunner()
    single = json.loads(runner.invoke(cli, ["ask", BURN, "--json"]).output)
    assert single["query"] == BURN and single["results"][0]["kind"] == "slo"
    assert set(single["results"][0]) == {
        "rank", "score", "kind", "section", "source", "text", "citation"
    }  # fmt: skip
    several = json.loads(
        runner.invoke(cli, ["ask", BURN, "postmortem action items", "--k", "2", "--json"]).output
    )
    assert [o["query"] for o in several] == [BURN, "postmortem action items"]
    assert all(len(o["results"]) == 2 for o in several)


def test_langchain_retriever_returns_cited_documents(compendium_store):
    docs = StaffSimRetriever(k=3).invoke(BURN)
    assert len(docs) == 3
    assert docs[0].metadata["kind"] == "slo" and "citation" in docs[0].metadata


def test_tokenize_drops_stopwords_and_stems_alike():
    assert tokenize("How should alerts page?") == tokenize("alert paging")
