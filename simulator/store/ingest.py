"""Ingestion: the compendium and users' files -> chunks -> the Chroma store, idempotently."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from simulator.errors import UserError
from simulator.knowledge.rubrics import KIND_IDS
from simulator.store.chroma import ARTIFACTS, COMPENDIUM, SHARED_USER, Store, SyncResult
from simulator.store.chunking import PLAN_KIND, Chunk, chunk_markdown

COMPENDIUM_DOC = "compendium"
GENERAL_KIND = "general"
#: Kinds a user's artifact may carry: the 20 compendium kinds, plus plan and general.
ARTIFACT_KINDS = (*KIND_IDS, PLAN_KIND, GENERAL_KIND)
#: Below this many chunks an ingest is quick, and says nothing while it runs.
PROGRESS_MIN = 64


class Progress(Protocol):
    """Where a long ingest reports what it is doing (the CLI draws a bar or prints lines)."""

    def stage(self, name: str, total: int | None = None) -> None:
        """A stage begins; `total` counts its steps, when it has any."""

    def advance(self, n: int) -> None:
        """`n` more steps of the current stage are done."""

    def done(self, summary: str) -> None:
        """The ingest finished."""


@dataclass(frozen=True)
class Ingested:
    """One ingested document, as the CLI reports it."""

    id: str
    source: str
    kind: str
    user: str
    chunks: int
    added: int
    removed: int
    kept: int
    kind_confidence: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def compendium_path() -> Path:
    from simulator.config import CORPUS_DIR

    return CORPUS_DIR / "compendium.md"


def ingest_compendium(
    store: Store,
    path: Path | None = None,
    *,
    reindex: bool = False,
    progress: Progress | None = None,
) -> Ingested:
    """Chunk and store the compendium; a second run with no edit adds nothing."""
    from simulator.textio import read_text_file

    started = time.perf_counter()
    path = path or compendium_path()
    text = read_text_file(path)
    chunks = chunk_markdown(text, source=path.name, doc_id=COMPENDIUM_DOC, user=SHARED_USER)
    if reindex:
        store.drop(COMPENDIUM)
    meter = _Meter.start(progress, chunks, f"{path.name} ({_mb(text)})", started)
    (result,) = store.sync_documents(COMPENDIUM, {COMPENDIUM_DOC: chunks}, meter.embedded)
    meter.done([result])
    return _report(result, chunks, path.name, "compendium", SHARED_USER)


def add_files(
    store: Store,
    paths: Sequence[str | Path],
    *,
    kind: str | None = None,
    user: str | None = None,
    reindex: bool = False,
    on_error: Callable[[Path, UserError], None] | None = None,
    progress: Progress | None = None,
) -> list[Ingested]:
    """Store users' artifacts; every file is read and checked before the store is touched.

    A bad file raises its `UserError`, or, given `on_error`, is reported there and skipped.
    A long ingest reports its stages to `progress`.
    """
    from simulator.knowledge.detect import detect_kind
    from simulator.textio import read_text_file

    started = time.perf_counter()
    size = 0
    if kind is not None and kind not in ARTIFACT_KINDS:
        raise UserError(f"Unknown kind {kind!r}; choose one of: {', '.join(ARTIFACT_KINDS)}.")
    user = user or store.settings.user
    planned: list[tuple[Path, str, float | None, list[Chunk]]] = []
    for raw in paths:
        path = Path(raw)
        try:
            text = read_text_file(path)
            size += len(text.encode())
            doc_kind, confidence = (kind, None) if kind else detect_kind(text)
            chunks = chunk_markdown(
                text, source=path.name, doc_id=doc_id_for(path, user), kind=doc_kind, user=user
            )
            if not chunks:
                raise UserError(f"{path.name} has no text to index.")
        except UserError as exc:
            if on_error is None:
                raise
            on_error(path, exc)
            continue
        planned.append((path, doc_kind, confidence, chunks))
    if not planned:
        return []
    if reindex:
        store.reindex(ARTIFACTS)
    every = [c for *_, doc_chunks in planned for c in doc_chunks]
    what = planned[0][0].name if len(planned) == 1 else f"{len(planned)} files"
    meter = _Meter.start(progress, every, f"{what} ({size / 1e6:.1f} MB)", started)
    results = store.sync_documents(ARTIFACTS, {c[0].doc_id: c for *_, c in planned}, meter.embedded)
    meter.done(results)
    return [
        _report(result, chunks, path.name, doc_kind, user, confidence)
        for result, (path, doc_kind, confidence, chunks) in zip(results, planned, strict=True)
    ]


def doc_id_for(path: Path, user: str) -> str:
    """A short id stable for one user's file: its name, plus a hash of owner and full path."""
    stem = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")[:40] or "doc"
    digest = hashlib.sha1(f"{user}\0{path.resolve()}".encode()).hexdigest()[:8]
    return f"{stem}-{digest}"


def _report(
    result: SyncResult,
    chunks: list[Chunk],
    source: str,
    kind: str,
    user: str,
    confidence: float | None = None,
) -> Ingested:
    return Ingested(
        id=result.doc_id,
        source=source,
        kind=kind,
        user=user,
        chunks=len(chunks),
        added=result.added,
        removed=result.removed,
        kept=result.kept,
        kind_confidence=confidence,
    )


def _mb(text: str) -> str:
    return f"{len(text.encode()) / 1e6:.1f} MB"


@dataclass
class _Meter:
    """Feeds a `Progress` the stages of one ingest, or nothing when it is short."""

    progress: Progress | None
    started: float

    @classmethod
    def start(cls, progress: Progress | None, chunks: list[Chunk], what: str, started: float):
        if progress is None or len(chunks) < PROGRESS_MIN:
            return cls(None, started)
        took = time.perf_counter() - started
        progress.stage(f"read and chunked {what}: {len(chunks)} chunks in {took:.1f} s")
        progress.stage("embedding and writing", len(chunks))
        return cls(progress, started)

    def embedded(self, n: int) -> None:
        if self.progress is not None:
            self.progress.advance(n)

    def done(self, results: list[SyncResult]) -> None:
        if self.progress is None:
            return
        added = sum(r.added for r in results)
        took = time.perf_counter() - self.started
        self.progress.done(f"{added} chunks embedded and stored in {took:.1f} s")
