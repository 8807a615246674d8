"""StaffSim's web app: `python app.py` serves it on 127.0.0.1 (port from STAFFSIM_PORT).

The UI lives in `simulator.web`; every grading and interview decision is `simulator.api`'s.
"""

from __future__ import annotations

import os

# Before gradio is imported: no analytics, no version check, nothing that leaves the machine.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def port() -> int:
    """STAFFSIM_PORT, else GRADIO_SERVER_PORT, else 7860."""
    return int(os.environ.get("STAFFSIM_PORT") or os.environ.get("GRADIO_SERVER_PORT") or 7860)


def warm() -> None:
    """Load the embedding model, rubrics and compendium, so the first grade is fast."""
    from simulator import api
    from simulator.store.embeddings import get_embedder

    get_embedder().embed_query("warm up")
    exemplar = api.get_kind("star").exemplars[0]
    api.critique("star", "\n".join(exemplar.lines))


def main() -> None:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    from simulator.config import get_settings
    from simulator.errors import UserError
    from simulator.web import build_app, warmup
    from simulator.web.auth import credentials, download_guard
    from simulator.web.layout import CSS, THEME

    try:
        auth = credentials(get_settings().auth)
    except UserError as exc:
        raise SystemExit(f"staffsim: {exc}") from None
    # The page answers first; the models load behind a "warming up" line (see simulator.web.warmup).
    job = warmup.prepare(warm)
    demo = build_app()
    demo.queue(default_concurrency_limit=4)
    demo.launch(
        server_name="127.0.0.1",
        server_port=port(),
        auth=auth,
        auth_message="Sign in to StaffSim to practise." if auth else None,
        share=False,
        ssr_mode=False,
        show_error=False,
        theme=THEME,
        css=CSS,
        footer_links=[],
        app_kwargs=download_guard(),
        prevent_thread_lock=True,
    )
    job.start()
    demo.block_thread()


if __name__ == "__main__":
    main()
