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
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


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
    """A warm BM25 index over one collection, with the records it was built from."""

    def __init__(self, records: list[Record], revision: str | None):
        import bm25s

        self.records = records
        self.revision = revision
        self.bm25 = bm25s.BM25()
        corpus = [tokenize(f"{r.meta.get('section', '')}\n{r.text}") or ["_"] for r in records]
        if corpus:
            self.bm25.index(corpus, show_progress=False)
        self.by_id = {r.id: i for i, r in enumerate(records)}
        self.users = np.array([r.meta.get("user", "") for r in records])
        self.kinds = np.array([r.meta.get("kind", "") for r in records])

    def rank(self, tokens: list[str], mask: np.ndarray, n: int) -> list[str]:
        if not self.records or not tokens:
            return []
        scores = np.asarray(self.bm25.get_scores(tokens), dtype=float)
        scores = np.where(mask, scores, 0.0)
        order = np.argsort(-scores, kind="stable")[:n]
        return [self.records[i].id for i in order if scores[i] > 0]


class Retriever:
    """Hybrid search over the compendium and one user's artifacts, kept warm in-process."""

    def __init__(self, store: Store | None = None, *, rrf_k: int = RRF_K, pool: int = POOL):
        self.store = store or Store()
        self.rrf_k = rrf_k
        self.pool = pool
        self._indexes: dict[str, _Index] = {}
        self._lock = threading.Lock()

    def index(self, name: str) -> _Index:
        """The BM25 index of a collection, rebuilt only when its revision changed."""
        revision = self.store.revision(name)
        with self._lock:
            current = self._indexes.get(name)
            if current is None or current.revision != revision:
                records = self.store.records(name) if revision is not None else []
                current = _Index(records, revision)
                self._indexes[name] = current
            return current

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
        embedding = self.store.embedder.embed_query(query) if mode != "bm25" else None
        tokens = tokenize(query)
        fused: dict[str, float] = {}
        records: dict[str, tuple[str, Record]] = {}
        for name in names:
            idx = self.index(name)
            if not idx.records:
                continue
            scope = {"user": user} if name == ARTIFACTS else None
            rankings: list[list[str]] = []
            if mode != "dense":
                rankings.append(idx.rank(tokens, self._mask(idx, name, user, kinds), self.pool))
            if embedding is not None:
                where = where_clause([scope, {"kind": {"$in": list(kinds)}} if kinds else None])
                n = min(self.pool * (4 if sections else 1), len(idx.records))
                rankings.append([i for i, _ in self.store.query(name, embedding, n, where)])
            for ranking in rankings:
                for rank, chunk_id in enumerate(ranking, start=1):
                    pos = idx.by_id.get(chunk_id)
                    if pos is None:  # written by another process since the index was built
                        continue
                    rec = idx.records[pos]
                    if name == ARTIFACTS and rec.meta.get("user") != user:
                        continue  # belt and braces: never another user's chunk
                    if sections and not _in_sections(rec.meta.get("section", ""), sections):
                        continue
                    fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (self.rrf_k + rank)
                    records[chunk_id] = (name, rec)
        ordered = sorted(fused.items(), key=lambda kv: -kv[1])
        hits: list[Hit] = []
        seen: set[tuple[str, str]] = set()
        for chunk_id, score in ordered:
            name, rec = records[chunk_id]
            group = (rec.meta.get("doc_id", ""), rec.meta.get("top", rec.meta.get("section", "")))
            if per_section and group in seen:
                continue
            seen.add(group)
            hits.append(_hit(len(hits) + 1, score, name, rec, tokens))
            if len(hits) == k:
                break
        return hits

    def search_many(self, queries: Sequence[str], k: int = 5, **kwargs: Any) -> list[list[Hit]]:
        return [self.search(q, k, **kwargs) for q in queries]

    @staticmethod
    def _mask(idx: _Index, name: str, user: str, kinds: Sequence[str] | None) -> np.ndarray:
        mask = np.ones(len(idx.records), dtype=bool)
        if name == ARTIFACTS:
            mask &= idx.users == user
        if kinds:
            mask &= np.isin(idx.kinds, list(kinds))
        return mask


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
