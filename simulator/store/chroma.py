"""The Chroma store: a shared `compendium` collection and a per-user `artifacts` collection."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from simulator.config import Settings, get_settings
from simulator.errors import UserError
from simulator.store.chunking import Chunk
from simulator.store.embeddings import Embedder, get_embedder

COMPENDIUM = "compendium"
ARTIFACTS = "artifacts"
COLLECTIONS = (COMPENDIUM, ARTIFACTS)
#: The compendium's chunks carry this user; artifact chunks carry their owner's id.
SHARED_USER = "*"
_ADD_BATCH = 256


@dataclass(frozen=True)
class SyncResult:
    """What one document's ingest changed."""

    doc_id: str
    added: int
    removed: int
    kept: int

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


@dataclass(frozen=True)
class Record:
    """A stored chunk as read back: id, passage and metadata."""

    id: str
    text: str
    meta: dict[str, Any]


class Store:
    """Chroma on disk under $STAFFSIM_HOME/chroma, or a Chroma server when CHROMA_HOST is set."""

    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None):
        self.settings = settings or get_settings()
        self._embedder = embedder
        self._client = None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(self.settings.embeddings)
        return self._embedder

    @property
    def client(self):
        if self._client is None:
            self._client = _connect(self.settings)
        return self._client

    @property
    def location(self) -> str:
        s = self.settings
        if s.chroma_host:
            return f"http://{s.chroma_host}:{s.chroma_port or 8000}"
        return str(s.home / "chroma")

    # -- collections -------------------------------------------------------------------------
    def collection(self, name: str, *, create: bool = True):
        """The named collection, refused when another embedding model built it."""
        try:
            col = self.client.get_collection(name, embedding_function=None)
        except Exception as exc:  # chromadb raises NotFoundError/ValueError by version
            if not _is_missing(exc):
                raise
            if not create:
                return None
            col = self.client.create_collection(
                name,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embedding_model": self.embedder.name, "revision": _stamp()},
            )
        built_with = (col.metadata or {}).get("embedding_model")
        if built_with and built_with != self.embedder.name:
            command = (
                "staffsim ingest --reindex" if name == COMPENDIUM else "staffsim add --reindex"
            )
            raise UserError(
                f"The {name} collection was built with {built_with}; run `{command}` "
                f"to rebuild it with {self.embedder.name}."
            )
        return col

    def revision(self, name: str) -> str | None:
        """A stamp that changes on every write, so warm indexes know when to rebuild."""
        col = self.collection(name, create=False)
        return None if col is None else str((col.metadata or {}).get("revision"))

    def drop(self, name: str) -> None:
        """Delete a collection entirely (the re-index path)."""
        try:
            self.client.delete_collection(name)
        except Exception as exc:
            if not _is_missing(exc):
                raise

    def reindex(self, name: str, progress: Callable[[int], None] | None = None) -> int:
        """Re-embed every stored chunk of a collection with the current model; returns the count."""
        try:
            old = self.client.get_collection(name, embedding_function=None)
        except Exception as exc:
            if not _is_missing(exc):
                raise
            return 0
        got = old.get(include=["documents", "metadatas"])
        self.drop(name)
        col = self.collection(name)
        ids, docs, metas = got["ids"], got["documents"], got["metadatas"]
        for start in range(0, len(ids), _ADD_BATCH):
            end = start + _ADD_BATCH
            texts = [
                f"{m['section']}\n{d}"
                for d, m in zip(docs[start:end], metas[start:end], strict=True)
            ]
            col.add(
                ids=ids[start:end],
                embeddings=self.embedder.embed_documents(texts),
                documents=docs[start:end],
                metadatas=metas[start:end],
            )
            if progress:
                progress(len(texts))
        return len(ids)

    def _touch(self, col) -> None:
        meta = dict(col.metadata or {})
        meta["revision"] = _stamp()
        col.modify(metadata=meta)

    # -- writes ------------------------------------------------------------------------------
    def sync_document(
        self,
        name: str,
        doc_id: str,
        chunks: list[Chunk],
        progress: Callable[[int], None] | None = None,
    ) -> SyncResult:
        """Make the stored chunks of `doc_id` equal `chunks`: add new ids, delete stale ones."""
        return self.sync_documents(name, {doc_id: chunks}, progress)[0]

    def sync_documents(
        self,
        name: str,
        docs: dict[str, list[Chunk]],
        progress: Callable[[int], None] | None = None,
    ) -> list[SyncResult]:
        """`sync_document` for several documents, embedding all their new chunks together."""
        col = self.collection(name)
        got = col.get(where={"doc_id": {"$in": list(docs)}}, include=["metadatas"])
        existing: dict[str, set[str]] = {doc_id: set() for doc_id in docs}
        for chunk_id, meta in zip(got["ids"], got["metadatas"], strict=True):
            existing[str(meta["doc_id"])].add(chunk_id)
        fresh = [
            c for doc_id, chunks in docs.items() for c in chunks if c.id not in existing[doc_id]
        ]
        stale = sorted(
            i for doc_id, chunks in docs.items() for i in existing[doc_id] - {c.id for c in chunks}
        )
        self._add(col, fresh, progress)
        if stale:
            col.delete(ids=stale)
        if fresh or stale:
            self._touch(col)
        results = []
        for doc_id, chunks in docs.items():
            wanted = {c.id for c in chunks}
            have = existing[doc_id]
            results.append(
                SyncResult(doc_id, len(wanted - have), len(have - wanted), len(have & wanted))
            )
        return results

    def _add(self, col, chunks: list[Chunk], progress: Callable[[int], None] | None) -> None:
        """Embed and add chunks; batches of similar length, each written while the next embeds."""
        from concurrent.futures import ThreadPoolExecutor

        ordered = sorted(chunks, key=lambda c: len(c.embed_text), reverse=True)
        with ThreadPoolExecutor(max_workers=1) as writer:
            pending = None
            for start in range(0, len(ordered), _ADD_BATCH):
                batch = ordered[start : start + _ADD_BATCH]
                embeddings = self.embedder.embed_documents([c.embed_text for c in batch])
                if pending is not None:
                    pending.result()
                pending = writer.submit(
                    col.add,
                    ids=[c.id for c in batch],
                    embeddings=embeddings,
                    documents=[c.text for c in batch],
                    metadatas=[c.metadata() for c in batch],
                )
                if progress:
                    progress(len(batch))
            if pending is not None:
                pending.result()

    def delete_document(self, doc_id: str, user: str | None = None) -> int:
        """Remove every chunk of a document; returns how many went."""
        for name in COLLECTIONS:
            col = self.collection(name, create=False)
            if col is None:
                continue
            where: dict[str, Any] = {"doc_id": doc_id}
            if name == ARTIFACTS and user is not None:
                where = {"$and": [{"doc_id": doc_id}, {"user": user}]}
            ids = col.get(where=where, include=[])["ids"]
            if ids:
                col.delete(ids=ids)
                self._touch(col)
                return len(ids)
        return 0

    # -- reads -------------------------------------------------------------------------------
    def records(self, name: str) -> list[Record]:
        """Every chunk of a collection, for the BM25 index and document listings."""
        col = self.collection(name, create=False)
        if col is None:
            return []
        got = col.get(include=["documents", "metadatas"])
        return [
            Record(i, d or "", dict(m or {}))
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]

    def documents(self, user: str | None) -> list[dict[str, Any]]:
        """One row per stored document: the compendium, then `user`'s artifacts."""
        rows: dict[str, dict[str, Any]] = {}
        for name in COLLECTIONS:
            for rec in self.records(name):
                owner = rec.meta.get("user")
                if name == ARTIFACTS and user is not None and owner != user:
                    continue
                row = rows.setdefault(
                    rec.meta["doc_id"],
                    {
                        "id": rec.meta["doc_id"],
                        "collection": name,
                        "source": rec.meta.get("source"),
                        "kind": rec.meta.get("kind") if name == ARTIFACTS else "compendium",
                        "user": owner,
                        "chunks": 0,
                        "tokens": 0,
                    },
                )
                row["chunks"] += 1
                row["tokens"] += int(rec.meta.get("tokens", 0))
        return list(rows.values())

    def query(
        self, name: str, embedding: list[float], n: int, where: dict[str, Any] | None
    ) -> list[tuple[str, float]]:
        """Nearest chunk ids with cosine distances, filtered by `where`."""
        col = self.collection(name, create=False)
        if col is None:
            return []
        got = col.query(
            query_embeddings=[embedding], n_results=n, where=where, include=["distances"]
        )
        return list(zip(got["ids"][0], got["distances"][0], strict=True))


def where_clause(filters: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """Chroma's `where` for several conditions (it wants `$and` only for two or more)."""
    parts = [f for f in filters if f]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _stamp() -> str:
    return f"{time.time_ns()}"


def _is_missing(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return "notfound" in text or "does not exist" in text or "not found" in text


def _connect(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        port = settings.chroma_port or 8000
        try:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=port, settings=chroma_settings
            )
        except Exception as exc:
            raise UserError(
                f"Cannot reach the Chroma server at {settings.chroma_host}:{port}; "
                "start it with `chroma run` or unset CHROMA_HOST."
            ) from exc
    path = settings.home / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
