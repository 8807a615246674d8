"""Hybrid retrieval: BM25 and dense rankings fused by reciprocal rank fusion, with citations."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from simulator.store.chroma import ARTIFACTS, COMPENDIUM, Record, Store, where_clause

Mode = Literal["hybrid", "bm25", "dense"]
RRF_K = 60
#: Candidates each ranker contributes before fusion.
POOL = 40
_SNIPPET = 200

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "a an and are as at be been but by can do does for from had has have how i if in into is it "
    "its me my of on or our should so than that the their them then there these they this to "
    "was we what when where which who why will with you your".split()
)


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens, stopwords dropped, lightly stemmed (the same for docs and queries)."""
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP]


def _stem(word: str) -> str:
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, repl in (
        ("ies", "y"),
        ("sses", "ss"),
        ("ing", ""),
        ("ed", ""),
        ("es", ""),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: len(word) - len(suffix)] + repl
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


@dataclass(frozen=True)
class Hit:
    """One retrieved passage with the citation a grader or a user can follow."""

    rank: int
    score: float
    kind: str
    section: str
    source: str
    text: str
    citation: str
    id: str
    doc_id: str
    collection: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Index:
    """A warm BM25 index over the compendium and every artifact, masked per query."""

    def __init__(self, parts: dict[str, list[Record]], revision: tuple):
        import bm25s

        self.revision = revision
        self.records = [rec for recs in parts.values() for rec in recs]
        self.collections = np.array([name for name, recs in parts.items() for _ in recs])
        self.bm25 = bm25s.BM25()
        corpus = [tokenize(f"{r.meta.get('section', '')}\n{r.text}") or ["_"] for r in self.records]
        if corpus:
            self.bm25.index(corpus, show_progress=False)
        self.by_id = {
            (c, r.id): i
            for i, (c, r) in enumerate(zip(self.collections, self.records, strict=True))
        }
        self.users = np.array([r.meta.get("user", "") for r in self.records])
        self.kinds = np.array([r.meta.get("kind", "") for r in self.records])

    def mask(self, names: Sequence[str], user: str, kinds: Sequence[str] | None) -> np.ndarray:
        """Rows a query may see: its collections, its user's artifacts, its kinds."""
        mask = np.isin(self.collections, list(names))
        mask &= (self.collections != ARTIFACTS) | (self.users == user)
        if kinds:
            mask &= np.isin(self.kinds, list(kinds))
        return mask

    def rank(self, tokens: list[str], mask: np.ndarray, n: int) -> list[int]:
        if not self.records or not tokens:
            return []
        scores = np.where(mask, np.asarray(self.bm25.get_scores(tokens), dtype=float), 0.0)
        order = np.argsort(-scores, kind="stable")[:n]
        return [int(i) for i in order if scores[i] > 0]


class Retriever:
    """Hybrid search over the compendium and one user's artifacts, kept warm in-process."""

    def __init__(self, store: Store | None = None, *, rrf_k: int = RRF_K, pool: int = POOL):
        self.store = store or Store()
        self.rrf_k = rrf_k
        self.pool = pool
        self._index: _Index | None = None
        self._lock = threading.Lock()

    def index(self) -> _Index:
        """The BM25 index, rebuilt only when a collection's revision changed."""
        revision = tuple(self.store.revision(name) for name in (COMPENDIUM, ARTIFACTS))
        with self._lock:
            if self._index is None or self._index.revision != revision:
                parts = {
                    name: self.store.records(name) if rev is not None else []
                    for name, rev in zip((COMPENDIUM, ARTIFACTS), revision, strict=True)
                }
                self._index = _Index(parts, revision)
            return self._index

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        kinds: Sequence[str] | None = None,
        sections: Sequence[str] | None = None,
        user: str | None = None,
        include_compendium: bool = True,
        mode: Mode = "hybrid",
        per_section: bool = True,
    ) -> list[Hit]:
        """The top `k` passages for `query`; one per section unless `per_section` is False."""
        user = user if user is not None else self.store.settings.user
        names = ([COMPENDIUM] if include_compendium else []) + [ARTIFACTS]
        idx = self.index()
        tokens = tokenize(query)
        rankings: list[list[int]] = []
        if mode != "dense":
            rankings.append(idx.rank(tokens, idx.mask(names, user, kinds), self.pool))
        if mode != "bm25":
            rankings.append(self._dense(idx, query, names, user, kinds, sections))
        fused: dict[int, float] = {}
        for ranking in rankings:
            for rank, pos in enumerate(ranking, start=1):
                rec = idx.records[pos]
                if idx.collections[pos] == ARTIFACTS and rec.meta.get("user") != user:
                    continue  # belt and braces: never another user's chunk
                if sections and not _in_sections(rec.meta.get("section", ""), sections):
                    continue
                fused[pos] = fused.get(pos, 0.0) + 1.0 / (self.rrf_k + rank)
        hits: list[Hit] = []
        seen: set[tuple[str, str]] = set()
        for pos, score in sorted(fused.items(), key=lambda kv: -kv[1]):
            rec = idx.records[pos]
            group = (rec.meta.get("doc_id", ""), rec.meta.get("top", rec.meta.get("section", "")))
            if per_section and group in seen:
                continue
            seen.add(group)
            hits.append(_hit(len(hits) + 1, score, str(idx.collections[pos]), rec, tokens))
            if len(hits) == k:
                break
        return hits

    def _dense(
        self,
        idx: _Index,
        query: str,
        names: Sequence[str],
        user: str,
        kinds: Sequence[str] | None,
        sections: Sequence[str] | None,
    ) -> list[int]:
        """Positions ranked by cosine distance across the collections (same model, comparable)."""
        if not idx.records:
            return []
        embedding = self.store.embedder.embed_query(query)
        kind_filter = {"kind": {"$in": list(kinds)}} if kinds else None
        found: list[tuple[float, int]] = []
        for name in names:
            size = int(np.sum(idx.collections == name))
            if not size:
                continue
            scope = {"user": user} if name == ARTIFACTS else None
            n = min(self.pool * (4 if sections else 1), size)
            for chunk_id, distance in self.store.query(
                name, embedding, n, where_clause([scope, kind_filter])
            ):
                pos = idx.by_id.get((name, chunk_id))
                if pos is not None:  # else written by another process since the index was built
                    found.append((distance, pos))
        return [pos for _, pos in sorted(found)][: self.pool * (4 if sections else 1)]

    def search_many(self, queries: Sequence[str], k: int = 5, **kwargs: Any) -> list[list[Hit]]:
        return [self.search(q, k, **kwargs) for q in queries]


def _in_sections(section: str, wanted: Sequence[str]) -> bool:
    low = section.lower()
    for w in wanted:
        w = w.lower().strip()
        if low.startswith(w) or low.split(" > ")[0].split(".")[0] == w:
            return True
    return False


def _hit(rank: int, score: float, name: str, rec: Record, tokens: list[str]) -> Hit:
    section = rec.meta.get("section", "")
    source = rec.meta.get("source", "")
    snippet = _snippet(rec.text, set(tokens))
    return Hit(
        rank=rank,
        score=round(score, 5),
        kind=rec.meta.get("kind", ""),
        section=section,
        source=source,
        text=rec.text,
        citation=f'{source} § {section}: "{snippet}"',
        id=rec.id,
        doc_id=rec.meta.get("doc_id", ""),
        collection=name,
    )


def _snippet(text: str, tokens: set[str]) -> str:
    """The passage line sharing most words with the query, trimmed."""
    lines = [ln.strip(" -*\t") for ln in text.splitlines() if ln.strip(" -*\t")]
    if not lines:
        return ""
    best = max(lines, key=lambda ln: len(tokens & set(tokenize(ln))))
    best = re.sub(r"\*\*|\s+", lambda m: "" if m.group() == "**" else " ", best).strip()
    return best if len(best) <= _SNIPPET else best[: _SNIPPET - 1].rstrip() + "…"


_RETRIEVERS: dict[str, Retriever] = {}
_GUARD = threading.Lock()


def get_retriever() -> Retriever:
    """The process-wide retriever for the current settings (its BM25 indexes stay warm)."""
    from simulator.config import get_settings

    settings = get_settings()
    key = f"{settings.home}|{settings.chroma_host}|{settings.chroma_port}|{settings.embeddings}"
    with _GUARD:
        if key not in _RETRIEVERS:
            _RETRIEVERS[key] = Retriever(Store(settings))
        return _RETRIEVERS[key]


def retrieve(
    query: str,
    k: int = 5,
    *,
    kinds: Sequence[str] | None = None,
    sections: Sequence[str] | None = None,
    user: str | None = None,
    include_compendium: bool = True,
) -> list[Hit]:
    """Hybrid-retrieve `k` cited passages for one query."""
    return get_retriever().search(
        query, k, kinds=kinds, sections=sections, user=user, include_compendium=include_compendium
    )


def retrieve_many(queries: Sequence[str], k: int = 5, **kwargs: Any) -> list[list[Hit]]:
    """`retrieve` for several queries with one model load."""
    return get_retriever().search_many(queries, k, **kwargs)
