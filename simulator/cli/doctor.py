"""`staffsim doctor`: one line per thing the chosen engine needs, non-zero exit if one is missing."""

from __future__ import annotations

import json
import sys
import time
from importlib import metadata

import click

_PACKAGES = (
    "torch",
    "sentence-transformers",
    "chromadb",
    "gradio",
    "langchain",
    "openai",
    "tiktoken",
)


def _check_engine(settings) -> tuple[bool, str]:
    return True, f"engine: {settings.engine_name}" + (
        " (deterministic offline engine)" if settings.is_offline else ""
    )


def _check_endpoint(settings) -> tuple[bool, str]:
    if settings.is_offline:
        return True, "endpoint: not needed by the offline engine"
    if settings.llm_mode == "replay":
        return True, f"endpoint: not contacted in replay mode (fixtures: {settings.fixtures_dir})"
    import httpx

    base = (settings.openai_base_url or "https://api.openai.com/v1").rstrip("/")
    if not settings.openai_api_key and not settings.openai_base_url:
        return False, "endpoint: OPENAI_API_KEY is not set; set it or OPENAI_BASE_URL"
    headers = (
        {"Authorization": f"Bearer {settings.openai_api_key}"} if settings.openai_api_key else {}
    )
    try:
        response = httpx.get(f"{base}/models", headers=headers, timeout=5.0)
    except httpx.HTTPError as exc:
        return False, f"endpoint: {base} unreachable ({type(exc).__name__})"
    if response.status_code >= 400:
        return False, f"endpoint: {base} answered HTTP {response.status_code}"
    return True, f"endpoint: {base} reachable"


def _check_llm(settings) -> tuple[bool, str]:
    """One timed structured request: the response format in use, first token, tokens/s."""
    from simulator.errors import UserError
    from simulator.llm import LLMEngine, StructuredOutputError, negotiation

    engine = LLMEngine(settings)
    try:
        _, prov = engine.structured(
            "endpoint_probe", {"topic": "an error budget"}, with_logprobs=True
        )
    except (UserError, StructuredOutputError) as exc:
        line = " ".join(str(exc).split())
        return False, f"llm: {engine.model} at {engine.endpoint} failed a timed request ({line})"
    fmt = negotiation.describe(settings.home, engine.endpoint, engine.model)
    if engine.forced_format:
        fmt = f"{engine.forced_format} (forced by STAFFSIM_LLM_RESPONSE_FORMAT)"
    if prov.logprobs is not None:
        fmt += f"; logprobs given ({len(prov.logprobs)} tokens, P(yes) kept per check)"
    elif negotiation.logprobs_allowed(settings.home, engine.endpoint, engine.model):
        fmt += "; logprobs asked for but not sent (no P(yes) per check)"
    elif engine.forced_format:
        fmt += "; logprobs refused (no P(yes) per check)"
    first = (prov.first_token_ms or 0) / 1000
    rest = max(prov.latency_ms / 1000 - first, 1e-3)
    speed = prov.tokens_out / rest if prov.tokens_out > 1 else 0.0
    return True, (
        f"llm: {engine.model}: response format {fmt}; first token {first:.1f} s, "
        f"{speed:.1f} tokens/s ({prov.tokens_out} tokens in {prov.latency_ms / 1000:.1f} s), "
        f"idle timeout {settings.llm_timeout:g} s, concurrency {settings.llm_concurrency}"
    )


def _check_embeddings(settings) -> tuple[bool, str]:
    try:
        from simulator.store.embeddings import get_embedder
    except ImportError as exc:
        return False, f"embeddings: store package missing ({exc})"
    start = time.perf_counter()
    try:
        embedder = get_embedder(settings.embeddings)
        vector = embedder.embed_query("burn rate alert")
    except Exception as exc:  # noqa: BLE001 - doctor reports any failure as one line
        return False, f"embeddings: {settings.embeddings} failed to load ({exc})"
    ms = (time.perf_counter() - start) * 1000
    return True, f"embeddings: {embedder.name} loaded, dim {len(vector)}, {ms:.0f} ms"


def _check_tokens(settings) -> tuple[bool, str]:
    from simulator.tokens import cache_dir, count_tokens

    try:
        n = count_tokens("error budget burn rate", "gpt-4o")
    except Exception as exc:  # noqa: BLE001
        return False, f"tiktoken: offline encodings unavailable ({exc})"
    return True, f"tiktoken: offline encodings seeded in {cache_dir()} ({n} tokens test)"


def _check_home(settings) -> tuple[bool, str]:
    try:
        probe = settings.path(".doctor")
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        return False, f"data dir: {settings.home} not writable ({exc.strerror})"
    return True, f"data dir: {settings.home} writable"


def _check_store(settings, repair: bool = False) -> tuple[bool, str]:
    from simulator.errors import UserError
    from simulator.store.chroma import Store

    if not settings.chroma_host and not (settings.home / "chroma").exists():
        return True, "store: empty; run `staffsim ingest` and `staffsim add FILE`"
    store = Store(settings)
    try:
        partial = store.repair() if repair else store.partial_documents()
    except UserError as exc:
        return False, f"store: {exc}"
    names = ", ".join(f"{row['source']} ({row['pending_chunks']} chunks)" for row in partial)
    if not partial:
        return True, f"store: {store.location}, no partial documents"
    if repair:
        return True, f"store: removed {len(partial)} partial document(s): {names}"
    return False, (
        f"store: {len(partial)} partial document(s) left by an interrupted add or ingest, "
        f"hidden from listings and search: {names}; run `staffsim doctor --repair` to remove "
        "them, or add the files again to finish them"
    )


def _check_knowledge(settings) -> tuple[bool, str]:
    from simulator.knowledge import load_artifact_rubrics, load_panels
    from simulator.knowledge.compendium import load_compendium

    try:
        kinds = load_compendium().kinds
        panels = load_panels()
        rubrics = load_artifact_rubrics()
    except Exception as exc:  # noqa: BLE001
        return False, f"knowledge: {exc}"
    return (
        True,
        f"knowledge: {len(kinds)} kinds, {len(panels)} panels, {len(rubrics)} artifact rubrics",
    )


def _versions() -> str:
    found = []
    for name in _PACKAGES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} missing")
    return "packages: " + ", ".join(found)


@click.command()
@click.option(
    "--repair", is_flag=True, help="Remove partial documents an interrupted add left behind."
)
@click.option(
    "--probe/--no-probe",
    default=True,
    help="Time one short request to the LLM endpoint (format in use, first token, tokens/s).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def doctor(repair: bool, probe: bool, as_json: bool) -> None:
    """Check what the chosen engine needs; exit non-zero if something is missing."""
    from simulator.config import get_settings

    settings = get_settings()
    checks = [_check_engine, _check_home, _check_knowledge, _check_tokens, _check_embeddings]
    checks.append(_check_endpoint)
    results = [check(settings) for check in checks]
    if results[-1][0] and not settings.is_offline and settings.llm_mode != "replay" and probe:
        results.append(_check_llm(settings))
    results.append(_check_store(settings, repair))
    ok = all(passed for passed, _ in results)
    if as_json:
        payload = {"ok": ok, "checks": [{"ok": p, "line": line} for p, line in results]}
        payload["packages"] = _versions()
        click.echo(json.dumps(payload, indent=2))
    else:
        for passed, line in results:
            click.echo(("ok   " if passed else "FAIL ") + line)
        click.echo("info " + _versions())
    if not ok:
        sys.exit(1)
