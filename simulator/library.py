"""A user's own artifacts: uploads kept under the data root, the store's listing, the STAR bank.

Uploads are copied to `$STAFFSIM_HOME/uploads/<user>/` before they are indexed, so the
same file uploaded twice keeps one document id, and a story can be read back whole.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from simulator.config import get_settings
from simulator.errors import UserError

STAR_KIND = "star"
_COMPETENCIES = re.compile(r"^\W*competenc(?:y|ies)\W*:\s*(.*)$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Story:
    """A STAR story of the user's bank."""

    id: str
    title: str
    text: str
    competencies: list[str] = field(default_factory=list)


def user_dir(user: str) -> Path:
    """The folder holding `user`'s uploaded files (one per user, whatever their name)."""
    slug = re.sub(r"[^a-z0-9]+", "-", user.lower()).strip("-")[:32] or "user"
    digest = hashlib.sha1(user.encode()).hexdigest()[:6]
    folder = get_settings().home / "uploads" / f"{slug}-{digest}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _store():
    from simulator.store.chroma import Store

    return Store()


def add_artifacts(
    paths: Sequence[str | Path],
    *,
    user: str,
    kind: str | None = None,
    on_file: Callable[[int, int, str], None] | None = None,
):
    """Copy files into the user's folder and index them -> list of `Ingested`.

    Every file is read and checked before anything is stored; `on_file(done, total, name)`
    reports progress between files.
    """
    from simulator.store.ingest import add_files
    from simulator.textio import read_text_file

    if not paths:
        raise UserError("No file chosen; pick a .md, .txt, .pdf or .docx file first.")
    for path in paths:
        read_text_file(path)
    store = _store()
    results = []
    for done, path in enumerate(paths):
        src = Path(path)
        if on_file:
            on_file(done, len(paths), src.name)
        kept = user_dir(user) / src.name
        if src.resolve() != kept.resolve():
            shutil.copyfile(src, kept)
        results.extend(add_files(store, [kept], kind=kind, user=user))
    if on_file:
        on_file(len(paths), len(paths), "")
    return results


def list_artifacts(user: str) -> list[dict]:
    """The user's stored documents (never the compendium, never another user's)."""
    from simulator.store.chroma import ARTIFACTS

    rows = _store().documents(user)
    return sorted(
        (r for r in rows if r["collection"] == ARTIFACTS and r["user"] == user),
        key=lambda r: (str(r["kind"]), str(r["source"])),
    )


def delete_artifact(doc_id: str, *, user: str) -> int:
    """Remove one of the user's documents and its kept file; returns the chunks removed."""
    rows = {r["id"]: r for r in list_artifacts(user)}
    if doc_id not in rows:
        raise UserError(f"You have no document {doc_id!r}; pick one from your list.")
    removed = _store().delete_document(doc_id, user)
    kept = user_dir(user) / str(rows[doc_id]["source"])
    if kept.is_file():
        kept.unlink()
    return removed


def artifact_text(row: dict, user: str) -> str:
    """The full text of a stored document, from its kept file."""
    from simulator.textio import read_text_file

    return read_text_file(user_dir(user) / str(row["source"]))


def competencies_in(text: str) -> list[str]:
    """The competencies a story names on its `Competencies:` line."""
    m = _COMPETENCIES.search(text)
    if not m:
        return []
    return [c.strip(" .*_") for c in re.split(r"[,;/]", m.group(1)) if c.strip(" .*_")]


def save_star(text: str, competencies: Sequence[str], *, user: str, title: str | None = None):
    """Store a STAR story in the user's bank as kind `star`, with its competencies -> `Ingested`."""
    from simulator.textio import check_text

    check_text(text, "the story")
    tags = [c.strip() for c in competencies if c.strip()] or competencies_in(text)
    if not tags:
        raise UserError("Name at least one competency the story shows (e.g. ownership, influence).")
    body = _COMPETENCIES.sub("", text).rstrip()
    title = (title or "").strip() or _title(body)
    body = f"{body}\n\nCompetencies: {', '.join(tags)}\n"
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:48] or "story"
    path = user_dir(user) / f"star-{slug}.md"
    path.write_text(body, encoding="utf-8")
    return add_artifacts([path], user=user, kind=STAR_KIND)[0]


def star_bank(user: str) -> list[Story]:
    """The user's STAR stories with their competencies."""
    stories = []
    for row in list_artifacts(user):
        if row["kind"] != STAR_KIND:
            continue
        try:
            text = artifact_text(row, user)
        except UserError:
            continue  # its kept file is gone; the store still lists it in the Library
        title = str(row["source"]).removeprefix("star-").removesuffix(".md").replace("-", " ")
        stories.append(Story(row["id"], title, text, competencies_in(text)))
    return stories


def _title(text: str) -> str:
    first = next((ln for ln in text.splitlines() if ln.strip()), "story")
    first = re.sub(r"^\W*(situation|s)\W*:\s*", "", first.strip("# *"), flags=re.IGNORECASE)
    return " ".join(first.split()[:8])
