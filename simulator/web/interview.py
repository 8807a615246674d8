"""Mock Interview tab handlers (filled in once `simulator.interview` exists)."""

from __future__ import annotations

import gradio as gr

from simulator.errors import UserError
from simulator.web.handlers import guarded

LEVELS = ["senior", "staff", "principal"]


def session_choices(user: str) -> list:
    return []


@guarded
def start(panel, level, length, request: gr.Request = None):
    raise UserError("Mock interviews are not available in this build yet.")


@guarded
def answer(session, text, chat, request: gr.Request = None):
    raise UserError("Start an interview first.")


@guarded
def resume(choice, request: gr.Request = None):
    raise UserError("No past session to resume.")
