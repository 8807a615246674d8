"""The Gradio web app: layout, handlers and plots; every decision is made by `simulator.api`."""

from simulator.web.layout import build_app

__all__ = ["build_app"]
