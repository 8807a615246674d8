"""`staffsim ingest`, `add`, `docs` and `ask`: the knowledge store from the command line."""

from __future__ import annotations

import click

from simulator.cli._common import echo, echo_json, user_option


def _store():
    from simulator.store.chroma import Store

    return Store()


@click.command()
@click.option(
    "--reindex", is_flag=True, help="Drop and rebuild with the configured embedding model."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def ingest(reindex: bool, as_json: bool) -> None:
    """Index the compendium; a second run adds nothing, an edit replaces only changed chunks."""
    from simulator.cli._progress import TerminalProgress
    from simulator.store.ingest import ingest_compendium

    store = _store()
    with TerminalProgress() as progress:
        result = ingest_compendium(store, reindex=reindex, progress=progress)
    if as_json:
        echo_json(result.to_dict())
        return
    echo(
        f"compendium: {result.chunks} chunks ({result.added} added, {result.removed} removed, "
        f"{result.kept} unchanged) in {store.location} with {store.embedder.name}"
    )


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option(
    "--kind", default=None, help="Artifact kind (e.g. adr, postmortem); detected if omitted."
)
@user_option(help="Owner of the documents.")
@click.option(
    "--reindex", is_flag=True, help="Re-embed stored artifacts with the configured model."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def add(files: tuple[str, ...], kind: str | None, user: str | None, reindex: bool, as_json: bool):
    """Add your own artifacts (.md, .txt, .pdf, .docx) to your private collection.

    A bad file is reported and the others are still added; the exit code is then 2.
    """
    from simulator.cli._progress import TerminalProgress
    from simulator.errors import UserError
    from simulator.store.ingest import add_files

    failed: list[tuple[str, str]] = []
    with TerminalProgress() as progress:
        results = add_files(
            _store(),
            list(files),
            kind=kind,
            user=user,
            reindex=reindex,
            # One file: its error is the whole story; several: report each, add the rest.
            on_error=(lambda path, exc: failed.append((str(path), str(exc))))
            if len(files) > 1
            else None,
            progress=progress,
        )
    if as_json:
        echo_json([r.to_dict() for r in results] + [{"file": p, "error": e} for p, e in failed])
    else:
        for _, error in failed:
            echo(f"Error: {error}", err=True)
        for r in results:
            how = (
                ""
                if r.kind_confidence is None
                else f" (detected, confidence {r.kind_confidence:.2f})"
            )
            echo(
                f"{r.id}: {r.source} as {r.kind}{how} for {r.user}: {r.chunks} chunks "
                f"({r.added} added, {r.removed} removed, {r.kept} unchanged)"
            )
    if failed:
        ok = f"; {len(results)} added" if results else ""
        raise UserError(f"{len(failed)} of {len(files)} files could not be added{ok}.")


@click.group()
def docs() -> None:
    """List or remove stored documents."""


@docs.command("list")
@user_option(help="Whose artifacts to list.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def docs_list(user: str | None, as_json: bool) -> None:
    """Every stored document: the compendium and your artifacts."""
    store = _store()
    rows = store.documents(user or store.settings.user)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        echo("No documents; run `staffsim ingest` or `staffsim add FILE`.")
    for row in rows:
        echo(f"{row['id']:<32} {row['kind']:<16} {row['chunks']:>4} chunks  {row['source']}")


@docs.command("rm")
@click.argument("doc_id")
@user_option(help="Owner of the document.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def docs_rm(doc_id: str, user: str | None, as_json: bool) -> None:
    """Remove every chunk of one document."""
    from simulator.errors import UserError

    store = _store()
    removed = store.delete_document(doc_id, user or store.settings.user)
    if not removed:
        raise UserError(f"No document {doc_id!r}; see `staffsim docs list`.")
    if as_json:
        echo_json({"id": doc_id, "removed_chunks": removed})
    else:
        echo(f"Removed {doc_id} ({removed} chunks).")


@click.command()
@click.argument("queries", nargs=-1, required=True)
@click.option("--k", "k", default=5, show_default=True, type=click.IntRange(1, 50))
@click.option("--kind", "kinds", multiple=True, help="Only these kinds (repeatable).")
@click.option("--section", "sections", multiple=True, help="Only sections starting with this.")
@user_option(help="Whose artifacts to search.")
@click.option("--no-compendium", is_flag=True, help="Search only your artifacts.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def ask(
    queries: tuple[str, ...],
    k: int,
    kinds: tuple[str, ...],
    sections: tuple[str, ...],
    user: str | None,
    no_compendium: bool,
    as_json: bool,
) -> None:
    """Retrieve cited passages for one or more queries (hybrid BM25 + dense)."""
    from simulator.errors import UserError
    from simulator.store.ingest import ARTIFACT_KINDS
    from simulator.store.retrieval import get_retriever, retrieve_many

    if any(not q.strip() for q in queries):
        raise UserError('A query is empty; ask something, e.g. `staffsim ask "error budget"`.')
    unknown = [kind for kind in kinds if kind not in ARTIFACT_KINDS]
    if unknown:
        raise UserError(f"Unknown kind {unknown[0]!r}; choose one of: {', '.join(ARTIFACT_KINDS)}.")
    answers = retrieve_many(
        list(queries),
        k,
        kinds=list(kinds) or None,
        sections=list(sections) or None,
        user=user,
        include_compendium=not no_compendium,
    )
    if not any(answers):
        _nothing_indexed(get_retriever().store, user, no_compendium)
    keys = ("rank", "score", "kind", "section", "source", "text", "citation")
    objs = [
        {"query": q, "results": [{key: h.to_dict()[key] for key in keys} for h in hits]}
        for q, hits in zip(queries, answers, strict=True)
    ]
    if as_json:
        echo_json(objs[0] if len(objs) == 1 else objs)
        return
    for obj in objs:
        echo(f"? {obj['query']}")
        if not obj["results"]:
            echo("  (nothing matched)")
        for r in obj["results"]:
            echo(f"  {r['rank']}. [{r['kind']}] {r['citation']}")


def _nothing_indexed(store, user: str | None, no_compendium: bool) -> None:
    """When a search found nothing because there is nothing to search, say what to run."""
    from simulator.errors import UserError

    user = user or store.settings.user
    rows = store.documents(user)
    own = [r for r in rows if r["collection"] == "artifacts"]
    if not rows:
        raise UserError(
            f"Nothing is indexed in {store.location} yet; run `staffsim ingest` (and "
            "`staffsim add FILE` for your own documents), then ask again."
        )
    if no_compendium and not own:
        raise UserError(
            f"{user} has no documents to search; add some with `staffsim add FILE --user "
            f"{user}`, or search the compendium too (without --no-compendium)."
        )
