"""The page: a header naming the engine, then one tab per task, wired to `handlers`."""

from __future__ import annotations

import gradio as gr

from simulator import api
from simulator.errors import UserError
from simulator.web import handlers as h
from simulator.web import interview as iv
from simulator.web import warmup
from simulator.web.auth import engine_banner, user_of

TITLE = "StaffSim — Staff+ interview practice"
#: System fonts only: the default theme would fetch Google Fonts from the internet.
THEME = gr.themes.Soft(
    font=[gr.themes.Font("system-ui"), gr.themes.Font("sans-serif")],
    font_mono=[gr.themes.Font("ui-monospace"), gr.themes.Font("monospace")],
)
CSS = """
#engine-banner {padding: 0.4rem 0.8rem; border-radius: 8px; background: var(--block-background-fill);}
#warmup {padding: 0.3rem 0.8rem; border-radius: 8px; border: 1px solid var(--border-color-accent);}
#logout {max-width: 8rem;}
.status-md p {margin: 0.2rem 0;}
/* The transcript is the session's record: no clear (trash) action; End early finishes it. */
#iv-chat button[aria-label*="lear"] {display: none !important;}
"""
ARTIFACT_TYPES = [".md", ".markdown", ".txt", ".pdf", ".docx"]


def _interview_tab():
    panels = [(p.name, p.id) for p in api.list_panels()]
    first = "system-design"
    session = gr.State(None)
    with gr.Row():
        panel = gr.Dropdown(panels, value=first, label="Panel", elem_id="iv-panel")
        level = gr.Dropdown(iv.LEVELS, value="staff", label="Level", elem_id="iv-level")
        length = gr.Slider(1, 5, value=2, step=1, label="Questions", elem_id="iv-length")
        follow_ups = gr.Slider(
            0, 5, value=2, step=1, label="Follow-ups per question", elem_id="iv-follow"
        )
    with gr.Row():
        mode = gr.Radio(iv.MODES, value=iv.RANDOM, label="First question", elem_id="iv-mode")
        bank = iv.bank_choices(first)
        bank_pick = gr.Dropdown(
            bank, value=bank[0][1], label="Bank question", elem_id="iv-bank", scale=2
        )
        own = gr.Textbox(
            label="Your own question",
            placeholder="e.g. Design a URL shortener handling 100M new links a month.",
            elem_id="iv-own",
            scale=2,
        )
    with gr.Row():
        show_grades = gr.Checkbox(value=True, label="Show grades as I go", elem_id="iv-grades")
        start = gr.Button("Start interview", variant="primary", elem_id="iv-start")
    with gr.Row():
        resume_pick = gr.Dropdown([], label="Resume a past session", elem_id="iv-sessions", scale=3)
        resume = gr.Button("Resume", elem_id="iv-resume")
    status = gr.Markdown(elem_id="iv-status", elem_classes="status-md")
    with gr.Row():
        with gr.Column(scale=3):
            # No clear button: the transcript is the session's record (End early finishes it).
            chat = gr.Chatbot(label="Interview", height=420, elem_id="iv-chat", buttons=["copy"])
            answer = gr.Textbox(
                label="Your answer", lines=5, placeholder="Answer here…", elem_id="iv-answer"
            )
            with gr.Row():
                send = gr.Button("Send answer", variant="primary", elem_id="iv-send")
                pause = gr.Button("Pause", elem_id="iv-pause")
                skip = gr.Button("Skip question", elem_id="iv-skip")
                end = gr.Button("End early", variant="stop", elem_id="iv-end")
        with gr.Column(scale=2):
            covered = gr.Markdown("Signals covered so far appear here.", elem_id="iv-signals")
    with gr.Group(visible=False) as card_box:
        card = gr.Markdown(elem_id="iv-scorecard")
        radar = gr.Plot(label="Signal scores", elem_id="iv-radar")
    with gr.Row():
        md_file = gr.File(label="Export (Markdown)", elem_id="iv-md")
        json_file = gr.File(label="Export (JSON)", elem_id="iv-json")
        pdf_file = gr.File(label="Export (PDF)", elem_id="iv-pdf")
    outs = [
        session, chat, covered, status, card_box, card, radar, md_file, json_file, pdf_file,
        resume_pick,
        panel, level, length, follow_ups,
    ]  # fmt: skip
    assert len(outs) == len(iv.OUTPUTS)
    panel.change(iv.pick_panel, [panel], [bank_pick])
    start.click(
        iv.start, [panel, level, length, follow_ups, mode, bank_pick, own, show_grades], outs
    )
    send.click(iv.answer, [session, answer, chat, show_grades], [*outs, answer])
    answer.submit(iv.answer, [session, answer, chat, show_grades], [*outs, answer])
    resume.click(iv.resume, [resume_pick, show_grades], outs)
    for button, handler in ((pause, iv.pause), (skip, iv.skip), (end, iv.end)):
        button.click(handler, [session, show_grades], outs)
    return resume_pick


def _star_tab():
    with gr.Row():
        pick = gr.Dropdown([], label="Pick a story", elem_id="star-pick")
    with gr.Row():
        with gr.Column():
            text = gr.Textbox(label="STAR story", lines=10, elem_id="star-text")
            competencies = gr.Textbox(
                label="Competencies (comma-separated)",
                placeholder="ownership, influence",
                elem_id="star-competencies",
            )
            with gr.Row():
                run = gr.Button("Critique", variant="primary", elem_id="star-run")
                save = gr.Button("Save to my STAR bank", elem_id="star-save")
            status = gr.Markdown(elem_id="star-status", elem_classes="status-md")
        with gr.Column():
            marks = gr.HighlightedText(
                label="Evidence in your story",
                combine_adjacent=True,
                show_legend=True,
                elem_id="star-marks",
            )
    summary = gr.Markdown(elem_id="star-summary")
    outline = gr.Markdown(elem_id="star-outline")
    pick.change(h.pick_story, [pick], [text, competencies])
    run.click(h.critique_star, [text], [marks, summary, outline])
    save.click(h.save_story, [text, competencies], [status, pick])
    return pick


def _design_tab():
    questions = h.design_questions()
    picked = gr.Dropdown(questions, value=questions[0], label="Question", elem_id="dg-pick")
    typed = gr.Textbox(label="…or type your own question", elem_id="dg-typed")
    answer = gr.Textbox(label="Your answer", lines=12, elem_id="dg-answer")
    run = gr.Button("Grade", variant="primary", elem_id="dg-run")
    marks = gr.HighlightedText(label="Evidence", show_legend=True, elem_id="dg-marks")
    summary = gr.Markdown(elem_id="dg-summary")
    run.click(h.grade_design, [picked, typed, answer], [marks, summary])


def _artifact_tab():
    kinds = [("Detect automatically", "auto")] + [(k.title, k.id) for k in api.list_kinds()]
    with gr.Row():
        file = gr.File(label="Artifact (.md, .txt, .pdf, .docx)", elem_id="ac-file")
        kind = gr.Dropdown(kinds, value="auto", label="Kind", elem_id="ac-kind")
    run = gr.Button("Critique", variant="primary", elem_id="ac-run")
    detected = gr.Markdown(elem_id="ac-detected")
    marks = gr.HighlightedText(label="Evidence", show_legend=True, elem_id="ac-marks")
    summary = gr.Markdown(elem_id="ac-summary")
    run.click(h.critique_file, [file, kind], [detected, marks, summary])


def _library_tab():
    files = gr.File(
        label="Add artifacts", file_count="multiple", file_types=ARTIFACT_TYPES, elem_id="lib-files"
    )
    upload = gr.Button("Add to my library", variant="primary", elem_id="lib-upload")
    status = gr.Markdown(elem_id="lib-status", elem_classes="status-md")
    table = gr.Dataframe(
        headers=h.LIBRARY_HEADERS, interactive=False, label="My artifacts", elem_id="lib-table"
    )
    with gr.Row():
        doomed = gr.Dropdown([], label="Document", elem_id="lib-doc")
        delete = gr.Button("Delete", variant="stop", elem_id="lib-delete")
        refresh = gr.Button("Refresh", elem_id="lib-refresh")
    upload.click(h.upload_files, [files], [table, doomed, status])
    delete.click(h.delete_doc, [doomed], [table, doomed, status])
    refresh.click(h.refresh_library, None, [table, doomed])
    return table, doomed


def _progress_tab():
    refresh = gr.Button("Refresh", elem_id="pg-refresh")
    summary = gr.Markdown(elem_id="pg-summary")
    kpis = gr.Plot(label="KPIs", elem_id="pg-kpis")
    cadence = gr.Plot(label="4-month cadence", elem_id="pg-cadence")
    with gr.Row():
        heatmap = gr.Plot(label="Panel coverage", elem_id="pg-heatmap")
        trend = gr.Plot(label="Pass-rate trend", elem_id="pg-trend")
    panel_pass = gr.Plot(label="Pass rate per panel", elem_id="pg-panels")
    pick = gr.Dropdown([], label="Signals over time for", elem_id="pg-pick")
    signals = gr.Plot(label="Signals over time", elem_id="pg-signals")
    outs = [summary, kpis, cadence, heatmap, trend, panel_pass, pick, signals]
    refresh.click(h.show_progress, None, outs)
    pick.input(h.show_signal_trend, [pick], [signals])
    return refresh, outs


def _evals_tab():
    try:
        suites = [s for s, _ in api.eval_suites()]
    except UserError:  # a broken suite file empties the list (staffsim eval run names it)
        suites = []
    pick = gr.CheckboxGroup(
        suites, value=suites, label="Suites (offline engine)", elem_id="ev-suites"
    )
    with gr.Row():
        run = gr.Button("Run evals", variant="primary", elem_id="ev-run")
        refresh = gr.Button("Refresh", elem_id="ev-refresh")
    status = gr.Markdown(elem_id="ev-status", elem_classes="status-md")
    summary = gr.Markdown(elem_id="ev-summary")
    refresh.click(h.show_evals, None, summary)
    run.click(h.run_evals, [pick], [status, summary], concurrency_limit=1)
    return summary


def _on_load(request: gr.Request):
    user = user_of(request)
    signed_in = bool(getattr(request, "username", None))
    who = f"Signed in as **{user}**." if signed_in else ""
    sessions = iv.session_choices(user)
    rows, doc_update = h._library(user)
    return (
        who,
        gr.update(visible=signed_in),
        gr.update(choices=sessions),
        gr.update(choices=h.star_choices(user)),
        rows,
        doc_update,
        *_warmup_state(),
    )


def build_app() -> gr.Blocks:
    """The whole page."""
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.Markdown(f"# {TITLE}")
        with gr.Row():
            gr.Markdown(engine_banner(), elem_id="engine-banner")
            who = gr.Markdown(elem_id="who")
            # Gradio's own /logout clears the login cookie; shown only when someone signed in.
            logout = gr.Button("Sign out", link="/logout", visible=False, elem_id="logout")
        line = warmup.current().banner()
        banner = gr.Markdown(line, visible=bool(line), elem_id="warmup")
        ticker = gr.Timer(1.0, active=not warmup.current().ready)
        with gr.Tabs():
            with gr.Tab("Mock Interview", id="interview"):
                sessions = _interview_tab()
            with gr.Tab("STAR Critique", id="star"):
                star_pick = _star_tab()
            with gr.Tab("Design Grading", id="design"):
                _design_tab()
            with gr.Tab("Artifact Critic", id="artifact"):
                _artifact_tab()
            with gr.Tab("Library", id="library"):
                table, doomed = _library_tab()
            with gr.Tab("Progress", id="progress") as progress_tab:
                _, progress_outs = _progress_tab()
            with gr.Tab("Evals", id="evals") as evals_tab:
                evals_md = _evals_tab()
        progress_tab.select(h.show_progress, None, progress_outs)
        evals_tab.select(h.show_evals, None, evals_md)
        demo.load(_on_load, None, [who, logout, sessions, star_pick, table, doomed, banner, ticker])
        ticker.tick(_warmup_state, None, [banner, ticker], show_progress="hidden")
    return demo


def _warmup_state():
    """The warm-up line, and the timer stopped once the models are loaded."""
    job = warmup.current()
    line = job.banner()
    return gr.Markdown(line, visible=bool(line)), gr.Timer(active=not job.ready)
