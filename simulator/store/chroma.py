"""The Chroma store: a shared `compendium` collection and a per-user `artifacts` collection."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
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
#: Metadata key of a chunk written by an `add` that has not finished; its document stays hidden.
PENDING = "pending"
_COMMIT_BATCH = 4096
_EMBED_SLICE = 64


def _server_errors(method=None, *, writes: bool = False):
    """A Chroma server that stopped answering becomes one sentence naming it (server mode)."""
    if method is None:
        return functools.partial(_server_errors, writes=writes)
    then = "; what it was adding stays hidden until you add it again" if writes else ""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            lost = _lost_connection(exc) if self.settings.chroma_host else None
            if lost is None:
                raise
            raise UserError(
                f"The Chroma server at {self.location} stopped answering ({lost}); start it "
                "again with `chroma run` (or unset CHROMA_HOST to use the local store) and "
                f"run the command again{then}."
            ) from exc

    return wrapper


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
            with self.writing():  # a first open creates the database: one process at a time
                self._client = _connect(self.settings)
        return self._client

    def writing(self):
        """Hold the data root's write lock (local store only; a server orders writes itself)."""
        if self.settings.chroma_host:
            return nullcontext()
        from simulator.store.lock import home_lock

        return home_lock(self.settings.home)

    @property
    def location(self) -> str:
        s = self.settings
        if s.chroma_host:
            return f"http://{s.chroma_host}:{s.chroma_port or 8000}"
        return str(s.home / "chroma")

    # -- collections -------------------------------------------------------------------------
    @_server_errors
    def collection(self, name: str, *, create: bool = True):
        """The named collection, refused when another embedding model built it."""
        try:
            col = self.client.get_collection(name, embedding_function=None)
        except Exception as exc:  # chromadb raises NotFoundError/ValueError by version
            if not _is_missing(exc):
                raise
            if not create:
                return None
            col = self._create(name)
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

    def _create(self, name: str):
        """Create a collection; when another process created it first, use theirs."""
        with self.writing():
            try:
                return self.client.create_collection(
                    name,
                    embedding_function=None,
                    configuration={"hnsw": {"space": "cosine"}},
                    metadata={"embedding_model": self.embedder.name, "revision": _stamp()},
                )
            except Exception as exc:  # chromadb raises InternalError or UniqueConstraintError
                if "already exists" not in str(exc).lower():
                    raise
                return self.client.get_collection(name, embedding_function=None)

    @_server_errors
    def revision(self, name: str) -> str | None:
        """A stamp that changes on every write, so warm indexes know when to rebuild."""
        col = self.collection(name, create=False)
        return None if col is None else str((col.metadata or {}).get("revision"))

    @_server_errors
    def drop(self, name: str) -> None:
        """Delete a collection entirely (the re-index path)."""
        with self.writing():
            try:
                self.client.delete_collection(name)
            except Exception as exc:
                if not _is_missing(exc):
                    raise

    @_server_errors
    def reindex(self, name: str, progress: Callable[[int], None] | None = None) -> int:
        """Re-embed every stored chunk of a collection with the current model; returns the count."""
        with self.writing():
            return self._reindex(name, progress)

    def _reindex(self, name: str, progress: Callable[[int], None] | None) -> int:
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

    @_server_errors(writes=True)
    def sync_documents(
        self,
        name: str,
        docs: dict[str, list[Chunk]],
        progress: Callable[[int], None] | None = None,
    ) -> list[SyncResult]:
        """`sync_document` for several documents, embedding all their new chunks together.

        Atomic per document: new chunks are written marked pending, which hides the whole
        document from listings and retrieval, and the mark is cleared only once every chunk
        is in. An interrupted sync leaves a hidden document that the next sync finishes.
        """
        _ = self.embedder  # load the model before taking the lock, so writers queue only to write
        with self.writing():
            col = self.collection(name)
            got = col.get(where={"doc_id": {"$in": list(docs)}}, include=["metadatas"])
            existing: dict[str, set[str]] = {doc_id: set() for doc_id in docs}
            pending: set[str] = set()
            for chunk_id, meta in zip(got["ids"], got["metadatas"], strict=True):
                existing[str(meta["doc_id"])].add(chunk_id)
                if (meta or {}).get(PENDING):
                    pending.add(chunk_id)
            fresh = [
                c for doc_id, chunks in docs.items() for c in chunks if c.id not in existing[doc_id]
            ]
            stale = sorted(
                i
                for doc_id, chunks in docs.items()
                for i in existing[doc_id] - {c.id for c in chunks}
            )
            self._add(col, fresh, progress)
            if stale:
                col.delete(ids=stale)
            unfinished = [c for chunks in docs.values() for c in chunks if c.id in pending]
            self._commit(col, fresh + unfinished)
            if fresh or stale or unfinished:
                self._touch(col)
        results = []
        for doc_id, chunks in docs.items():
            wanted = {c.id for c in chunks}
            have = existing[doc_id] - pending  # a chunk left pending was never really stored
            results.append(
                SyncResult(doc_id, len(wanted - have), len(have - wanted), len(have & wanted))
            )
        return results

    def _add(self, col, chunks: list[Chunk], progress: Callable[[int], None] | None) -> None:
        """Embed and add chunks, marked pending; batches of similar length, each written while
        the next embeds (a failed write stops the embedding within one slice)."""
        from concurrent.futures import ThreadPoolExecutor

        ordered = sorted(chunks, key=lambda c: len(c.embed_text), reverse=True)
        with ThreadPoolExecutor(max_workers=1) as writer:
            future = None
            for start in range(0, len(ordered), _ADD_BATCH):
                batch = ordered[start : start + _ADD_BATCH]
                embeddings: list[list[float]] = []
                for at in range(0, len(batch), _EMBED_SLICE):
                    if future is not None and future.done():
                        future.result()  # raises the write's error now, not a batch later
                    if self.settings.chroma_host and at:
                        self.client.heartbeat()  # a server that died stops us within a slice
                    slice_ = batch[at : at + _EMBED_SLICE]
                    embeddings += self.embedder.embed_documents([c.embed_text for c in slice_])
                    if progress:
                        progress(len(slice_))
                if future is not None:
                    future.result()
                future = writer.submit(
                    col.add,
                    ids=[c.id for c in batch],
                    embeddings=embeddings,
                    documents=[c.text for c in batch],
                    metadatas=[{**c.metadata(), PENDING: True} for c in batch],
                )
            if future is not None:
                future.result()

    def _commit(self, col, chunks: list[Chunk]) -> None:
        """Clear the pending mark; a document shows once its last chunk is cleared."""
        for start in range(0, len(chunks), _COMMIT_BATCH):
            batch = chunks[start : start + _COMMIT_BATCH]
            col.update(
                ids=[c.id for c in batch],
                metadatas=[{**c.metadata(), PENDING: False} for c in batch],
            )

    @_server_errors
    def delete_document(self, doc_id: str, user: str | None = None) -> int:
        """Remove every chunk of a document; returns how many went."""
        with self.writing():
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

    @_server_errors
    def partial_documents(self) -> list[dict[str, Any]]:
        """Documents an interrupted `add` or `ingest` left with pending chunks (all hidden)."""
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for name in COLLECTIONS:
            col = self.collection(name, create=False)
            if col is None:
                continue
            got = col.get(where={PENDING: True}, include=["metadatas"])
            for meta in got["metadatas"]:
                row = rows.setdefault(
                    (name, str(meta["doc_id"])),
                    {
                        "id": meta["doc_id"],
                        "collection": name,
                        "source": meta.get("source"),
                        "user": meta.get("user"),
                        "pending_chunks": 0,
                    },
                )
                row["pending_chunks"] += 1
        return list(rows.values())

    @_server_errors
    def repair(self) -> list[dict[str, Any]]:
        """Remove every partial document (its source file may be gone, so it is not finished);
        returns what was removed. Re-running `add` or `ingest` on the file finishes it instead."""
        with self.writing():
            partial = self.partial_documents()
            for row in partial:
                col = self.collection(row["collection"], create=False)
                ids = col.get(where={"doc_id": row["id"]}, include=[])["ids"]
                if ids:
                    col.delete(ids=ids)
                    self._touch(col)
                row["removed_chunks"] = len(ids)
        return partial

    # -- reads -------------------------------------------------------------------------------
    @_server_errors
    def records(self, name: str) -> list[Record]:
        """Every chunk of the complete documents of a collection (for BM25 and listings)."""
        col = self.collection(name, create=False)
        if col is None:
            return []
        got = col.get(include=["documents", "metadatas"])
        records = [
            Record(i, d or "", dict(m or {}))
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        hidden = {r.meta.get("doc_id") for r in records if r.meta.get(PENDING)}
        return [r for r in records if r.meta.get("doc_id") not in hidden]

    @_server_errors
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

    @_server_errors
    def query(
        self, name: str, embedding: list[float], n: int, where: dict[str, Any] | None
    ) -> list[tuple[str, float]]:
        """Nearest chunk ids with cosine distances, filtered by `where`."""
        col = self.collection(name, create=False)
        if col is None:
            return []
        where = where_clause([where or {}, {PENDING: {"$ne": True}}])
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


def _lost_connection(exc: BaseException) -> str | None:
    """What went wrong on the wire, if `exc` came from a lost connection, else None."""
    import httpx

    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError | httpx.ConnectError):
            return "connection refused"
        if isinstance(cause, httpx.TimeoutException):
            return "timed out"
        if isinstance(cause, httpx.TransportError | ConnectionError):
            return "connection dropped"
        cause = cause.__cause__ or cause.__context__
    return None


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
