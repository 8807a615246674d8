"""Ingestion: the compendium and users' files -> chunks -> the Chroma store, idempotently."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from simulator.errors import UserError
from simulator.knowledge.rubrics import KIND_IDS
from simulator.store.chroma import ARTIFACTS, COMPENDIUM, SHARED_USER, Store, SyncResult
from simulator.store.chunking import PLAN_KIND, Chunk, chunk_markdown

COMPENDIUM_DOC = "compendium"
GENERAL_KIND = "general"
#: Kinds a user's artifact may carry: the 20 compendium kinds, plus plan and general.
ARTIFACT_KINDS = (*KIND_IDS, PLAN_KIND, GENERAL_KIND)
_PROGRESS_MIN = 64


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


def ingest_compendium(store: Store, path: Path | None = None, *, reindex: bool = False) -> Ingested:
    """Chunk and store the compendium; a second run with no edit adds nothing."""
    from simulator.textio import read_text_file

    path = path or compendium_path()
    text = read_text_file(path)
    chunks = chunk_markdown(text, source=path.name, doc_id=COMPENDIUM_DOC, user=SHARED_USER)
    if reindex:
        store.drop(COMPENDIUM)
    progress = _progress(len(chunks))
    result = store.sync_document(COMPENDIUM, COMPENDIUM_DOC, chunks, progress)
    if progress:
        progress.close()
    return _report(result, chunks, path.name, "compendium", SHARED_USER)


def add_files(
    store: Store,
    paths: Sequence[str | Path],
    *,
    kind: str | None = None,
    user: str | None = None,
    reindex: bool = False,
    on_error: Callable[[Path, UserError], None] | None = None,
) -> list[Ingested]:
    """Store users' artifacts; every file is read and checked before the store is touched.

    A bad file raises its `UserError`, or, given `on_error`, is reported there and skipped.
    """
    from simulator.knowledge.detect import detect_kind
    from simulator.textio import read_text_file

    if kind is not None and kind not in ARTIFACT_KINDS:
        raise UserError(f"Unknown kind {kind!r}; choose one of: {', '.join(ARTIFACT_KINDS)}.")
    user = user or store.settings.user
    planned: list[tuple[Path, str, float | None, list[Chunk]]] = []
    for raw in paths:
        path = Path(raw)
        try:
            text = read_text_file(path)
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
    total = sum(len(c) for *_, c in planned)
    progress = _progress(total)
    results = store.sync_documents(ARTIFACTS, {c[0].doc_id: c for *_, c in planned}, progress)
    out = [
        _report(result, chunks, path.name, doc_kind, user, confidence)
        for result, (path, doc_kind, confidence, chunks) in zip(results, planned, strict=True)
    ]
    if progress:
        progress.close()
    return out


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


class _Bar:
    def __init__(self, total: int):
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="chunk", desc="embedding", leave=False, disable=None)

    def __call__(self, n: int) -> None:
        self.bar.update(n)

    def close(self) -> None:
        self.bar.close()


def _progress(total: int) -> _Bar | None:
    """A progress bar on stderr for long ingests (hidden when stderr is not a terminal)."""
    return _Bar(total) if total >= _PROGRESS_MIN else None
