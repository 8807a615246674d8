"""Heading-aware chunking: token bounds, section paths, kinds, stable ids."""

from __future__ import annotations

from simulator.config import CORPUS_DIR
from simulator.knowledge.rubrics import KIND_IDS
from simulator.store.chunking import MAX_TOKENS, chunk_markdown, compendium_kind
from simulator.tokens import get_encoding

COMPENDIUM = (CORPUS_DIR / "compendium.md").read_text(encoding="utf-8")


def _chunks(text=COMPENDIUM, **kw):
    return chunk_markdown(text, source="compendium.md", doc_id="compendium", **kw)


def test_every_compendium_section_has_chunks_of_its_kind():
    chunks = _chunks()
    kinds = {c.kind for c in chunks}
    assert set(KIND_IDS) <= kinds
    assert "plan" in kinds
    slo = [c for c in chunks if c.kind == "slo"]
    assert all(c.section.startswith("3. SLO / Reliability Playbook > ") for c in slo)
    assert any("Template" in c.section for c in slo)
    assert not any("Staff Engineer Preparation Compendium" in c.section for c in chunks)


def test_chunks_are_bounded_by_tokens_and_carry_metadata():
    enc = get_encoding("cl100k_base")
    for chunk in _chunks():
        assert len(enc.encode(chunk.text)) <= MAX_TOKENS
        meta = chunk.metadata()
        assert meta["doc_id"] == "compendium" and meta["source"] == "compendium.md"
        assert len(meta["sha256"]) == 64 and chunk.id.startswith("compendium:")


def test_long_section_is_split_with_overlap():
    lines = [
        f"- step {i}: drain traffic from shard {i} and verify replication lag" for i in range(80)
    ]
    text = "# Runbook\n\n## Failover\n" + "\n".join(lines)
    chunks = chunk_markdown(text, source="r.md", doc_id="r", kind="dr", max_tokens=64, overlap=16)
    assert len(chunks) > 3
    assert all(c.section == "Failover" and c.kind == "dr" for c in chunks)
    for first, second in zip(chunks, chunks[1:], strict=False):
        assert first.text.splitlines()[-1] in second.text  # the overlap
    assert all(c.tokens <= 64 for c in chunks)


def test_an_edit_changes_only_that_sections_ids():
    before = {c.id for c in _chunks()}
    edited = COMPENDIUM.replace("page; >2 over 6h", "page; >3 over 6h")
    after = {c.id for c in _chunks(edited)}
    assert len(before - after) == 1 and len(after - before) == 1
    assert len(before) == len(after)


def test_nested_headings_make_a_section_path():
    text = "# Title\n\n## Design\n### Risks\nThe cache may stampede.\n"
    (chunk,) = chunk_markdown(text, source="d.md", doc_id="d", kind="design_review")
    assert chunk.section == "Design > Risks"


def test_compendium_kind_maps_numbers_in_order():
    assert compendium_kind("1. Architecture Decision Records (ADRs) > Exemplar 1") == "adr"
    assert compendium_kind("20. Decision Economics Framework") == "decision_economics"
    assert compendium_kind("Usage Guide") == "plan"
