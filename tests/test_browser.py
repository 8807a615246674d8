"""End to end: the app served on 127.0.0.1, driven in headless Debian Chromium by Playwright.

Screenshots of each tab land in test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from browser_app import ARGS, CHROMIUM, SHOTS, WAIT, Server, shot

pytestmark = pytest.mark.browser

STORY = (
    "Situation: Our checkout service paged on-call 40 times a week across 3 teams.\n"
    "Task: I owned reducing pages within one quarter without new headcount.\n"
    "Action: I built an alert taxonomy, proposed SLO gating and aligned the three teams.\n"
    "Result: Pages fell from 40 to 12 a week (-70%) and MTTR dropped 30%.\n"
    "Reflection: I now start with the error budget before tooling."
)
ADR = """# ADR 7: Use Postgres for the ledger

## Status
Accepted

## Context
We need strong consistency for money movements.

## Decision
We will use Postgres with serializable transactions.

## Consequences
We run one more database; the trade-off is accepted.
"""


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    """Both servers start together (each warms the embedding model); stopped at the end."""
    base = tmp_path_factory.mktemp("web")
    started = {
        "open": Server(base / "open"),
        "auth": Server(base / "auth", auth="alice:wonderland,bob:builder"),
    }
    yield started
    for server in started.values():
        server.stop()


@pytest.fixture(scope="session")
def app_url(servers) -> str:
    return servers["open"].wait().url


@pytest.fixture(scope="session")
def auth_url(servers) -> str:
    return servers["auth"].wait().url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    outside: list[str] = []
    pg.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else None
        ),
    )
    pg.goto(app_url)
    pg.wait_for_selector("#engine-banner", timeout=WAIT)
    yield pg
    context.close()
    assert not outside, f"the page reached outside 127.0.0.1: {outside[:3]}"


def _tab(pg, name: str) -> None:
    pg.get_by_role("tab", name=name).click()


def _toasts(pg) -> list[str]:
    return pg.locator(".toast-body").all_inner_texts()


def _login(browser, url: str, user: str, password: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.goto(url)
    pg.get_by_label("username").fill(user)
    pg.get_by_label("password").fill(password)
    pg.get_by_role("button", name="Login").click()
    pg.wait_for_selector("#engine-banner", timeout=WAIT)
    return context, pg


def test_header_says_the_offline_engine_is_active(page):
    from playwright.sync_api import expect

    expect(page.locator("#engine-banner")).to_contain_text("Engine: offline")
    expect(page.locator("#engine-banner")).to_contain_text("no API key")


URL_QUESTION = "Design a URL shortener handling 100M new links a month."
URL_ANSWER = (
    "Requirements first: 100M new links a month is about 40 writes per second and 400 at peak; "
    "reads are 100x that, so 40k redirects per second, with p99 redirect latency under 50 ms. "
    "Codes are 7 base62 characters from a counter range-allocated per node, so there are no "
    "collisions. We chose a key-value store keyed by the code rather than Postgres, because "
    "redirects are single-key reads; the trade-off is no cross-key transactions."
)
LIMITER_ANSWER = (
    "Each region enforces a share of the quota locally with token buckets and syncs counts "
    "asynchronously, so overshoot is bounded by the 1 second sync interval; we chose local "
    "buckets over a central Redis counter because the 5 ms latency target matters more. If "
    "Redis is down we fail open for internal callers."
)


def _number(pg, elem: str, value: int) -> None:
    box = pg.locator(f"#{elem} input[type=number]")
    box.fill(str(value))
    box.press("Enter")


def _pick(pg, elem: str, option: str) -> None:
    pg.locator(f"#{elem} input").click()
    pg.get_by_role("option", name=option).first.click()


def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(p.extract_text() for p in pages).split())


def _status(pg):
    return pg.locator("#iv-status")


def test_typed_question_empty_answer_then_an_answer_then_end_early_and_export(page):
    from playwright.sync_api import expect

    _number(page, "iv-follow", 1)
    page.locator("#iv-mode").get_by_text("Type my own").click()
    page.locator("#iv-own textarea").fill(URL_QUESTION)
    page.locator("#iv-start").click()
    chat = page.locator("#iv-chat")
    expect(chat).to_contain_text(URL_QUESTION, timeout=WAIT)
    # No clear (trash) action on the transcript: it is the session's record.
    for clear in page.locator("#iv-chat button[aria-label*='lear']").all():
        expect(clear).to_be_hidden()
    page.locator("#iv-send").click()  # empty: one sentence in one place, nothing else
    expect(_status(page)).to_contain_text("Your answer is empty", timeout=WAIT)
    assert page.locator(".toast-body").count() == 0
    assert page.get_by_text("Error", exact=True).count() == 0
    box = page.locator("#iv-answer textarea")
    box.fill(URL_ANSWER)  # the box is still usable
    page.locator("#iv-send").click()
    expect(chat).to_contain_text("You said", timeout=WAIT)
    expect(_status(page)).to_be_empty()
    shot(page, "interview-typed-question")
    page.locator("#iv-end").click()
    expect(page.locator("#iv-scorecard")).to_contain_text("Question 1:", timeout=WAIT)
    expect(_status(page)).to_contain_text("Ended early")
    expect(page.locator("#iv-md")).to_contain_text("interview-", timeout=WAIT)
    expect(page.locator("#iv-json")).to_contain_text("interview-")
    shot(page, "interview-end-early-export")
    href = page.locator("#iv-md a").first.get_attribute("href")
    text = page.request.get(href).text()
    assert URL_QUESTION in text and "## Transcript" in text and URL_ANSWER[:60] in text
    expect(page.locator("#iv-pdf")).to_contain_text("interview-", timeout=WAIT)
    pdf = page.request.get(page.locator("#iv-pdf a").first.get_attribute("href")).body()
    printed = _pdf_text(pdf)
    assert URL_QUESTION in printed and "Transcript" in printed and "Question 1:" in printed
    assert " ".join(URL_ANSWER.split()[:10]) in printed


def test_off_topic_answer_is_named_and_can_be_retried(page):
    from playwright.sync_api import expect

    _number(page, "iv-follow", 0)
    _number(page, "iv-length", 1)
    page.locator("#iv-mode").get_by_text("From the bank").click()
    _pick(page, "iv-bank", "8. Design a multi-tenant search service")
    page.locator("#iv-start").click()
    chat = page.locator("#iv-chat")
    expect(chat).to_contain_text("multi-tenant search", timeout=WAIT)
    page.locator("#iv-answer textarea").fill(LIMITER_ANSWER)
    page.locator("#iv-send").click()
    expect(chat).to_contain_text("That sounds like a multi-region rate limiter", timeout=WAIT)
    expect(chat).to_contain_text("won't count")
    shot(page, "interview-off-topic")
    page.locator("#iv-answer textarea").fill(
        "I would partition the index by tenant, put the 50 largest tenants on dedicated shards "
        "and cap each tenant's share of query CPU at 10% with per-tenant rate limits."
    )
    page.locator("#iv-send").click()
    expect(page.locator("#iv-scorecard")).to_contain_text("Question 1:", timeout=WAIT)
    expect(page.locator("#iv-scorecard")).to_contain_text("off-topic attempt(s) retried")
    shot(page, "interview-off-topic-retried")


def test_pause_then_resume_restores_the_sessions_controls(browser, app_url):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(app_url)
    page.wait_for_selector("#engine-banner", timeout=WAIT)
    _pick(page, "iv-panel", "Architecture Deep Dive")
    _pick(page, "iv-level", "principal")
    _number(page, "iv-length", 3)
    _number(page, "iv-follow", 0)
    page.locator("#iv-start").click()
    expect(page.locator("#iv-chat")).to_contain_text("Question 1 of 3", timeout=WAIT)
    page.locator("#iv-skip").click()
    expect(page.locator("#iv-chat")).to_contain_text("Question 2 of 3", timeout=WAIT)
    page.locator("#iv-pause").click()
    expect(_status(page)).to_contain_text("Paused", timeout=WAIT)
    page.reload()  # a new page: the defaults come back until a session is resumed
    page.wait_for_selector("#engine-banner", timeout=WAIT)
    page.locator("#iv-sessions input").click()
    option = page.get_by_role("option").filter(has_text="architecture-deep-dive").first
    assert "paused" in option.inner_text()
    option.click()
    page.locator("#iv-resume").click()
    expect(page.locator("#iv-chat")).to_contain_text("Question 2 of 3", timeout=WAIT)
    expect(page.locator("#iv-panel input")).to_have_value("Architecture Deep Dive")
    expect(page.locator("#iv-level input")).to_have_value("principal")
    expect(page.locator("#iv-length input[type=number]")).to_have_value("3")
    expect(page.locator("#iv-follow input[type=number]")).to_have_value("0")
    shot(page, "interview-resumed")
    context.close()


def test_star_critique_highlights_evidence_and_saves_to_the_bank(page):
    from playwright.sync_api import expect

    _tab(page, "STAR Critique")
    page.locator("#star-text textarea").fill(STORY)
    page.locator("#star-run").click()
    expect(page.locator("#star-summary")).to_contain_text("/5", timeout=WAIT)
    expect(page.locator("#star-marks")).to_contain_text("reflection")
    expect(page.locator("#star-outline")).to_contain_text("Rewrite outline")
    shot(page, "star-critique")

    page.locator("#star-save").click()  # no competencies given, none in the text
    expect(page.locator(".toast-body")).to_contain_text("at least one competency", timeout=WAIT)
    expect(page.locator("#star-text textarea")).to_have_value(STORY)  # nothing typed is lost
    page.locator("#star-competencies textarea").fill("ownership, influence")
    page.locator("#star-save").click()
    expect(page.locator("#star-status")).to_contain_text("Saved to your STAR bank", timeout=WAIT)


def test_empty_design_answer_is_one_message_and_keeps_the_question(page):
    from playwright.sync_api import expect

    _tab(page, "Design Grading")
    page.locator("#dg-typed textarea").fill("Design a rate limiter for 1M tenants")
    page.locator("#dg-run").click()
    expect(page.locator(".toast-body")).to_contain_text("the answer is empty", timeout=WAIT)
    expect(page.locator("#dg-typed textarea")).to_have_value("Design a rate limiter for 1M tenants")
    assert "Traceback" not in page.content()
    page.locator("#dg-answer textarea").fill(
        "I would shard counters by tenant id in Redis, 10k QPS per shard; the trade-off is "
        "accuracy versus cost, and if a shard fails we fall back to a local token bucket."
    )
    page.locator("#dg-run").click()
    expect(page.locator("#dg-summary")).to_contain_text("/5", timeout=WAIT)
    shot(page, "design-grading")


def test_artifact_upload_list_and_delete(page, tmp_path):
    from playwright.sync_api import expect

    adr = tmp_path / "ledger-adr.md"
    adr.write_text(ADR)
    _tab(page, "Artifact Critic")
    page.locator("#ac-file input[type=file]").set_input_files(str(adr))
    expect(page.locator("#ac-file")).to_contain_text("ledger-adr.md", timeout=WAIT)
    page.locator("#ac-run").click()
    expect(page.locator("#ac-detected")).to_contain_text("(adr, confidence", timeout=WAIT)
    expect(page.locator("#ac-summary")).to_contain_text("/5")
    shot(page, "artifact-critic")
    # A binary renamed .md: one sentence, and the previous file's result is gone.
    binary = tmp_path / "photo.md"
    binary.write_bytes(bytes(range(256)) * 8)
    page.locator("#ac-file button[aria-label*='lear']").first.click()
    page.locator("#ac-file input[type=file]").set_input_files(str(binary))
    expect(page.locator("#ac-file")).to_contain_text("photo.md", timeout=WAIT)
    page.locator("#ac-run").click()
    expect(page.locator("#ac-detected")).to_contain_text("⚠", timeout=WAIT)
    expect(page.locator("#ac-summary")).not_to_contain_text("/5")
    shot(page, "artifact-critic-rejected")

    _tab(page, "Library")
    page.locator("#lib-files input[type=file]").set_input_files(str(adr))
    expect(page.locator("#lib-files")).to_contain_text("ledger-adr.md", timeout=WAIT)
    page.locator("#lib-upload").click()
    expect(page.locator("#lib-status")).to_contain_text("Added ledger-adr.md as adr", timeout=WAIT)
    expect(page.locator("#lib-table")).to_contain_text("ledger-adr.md")
    shot(page, "library")

    page.locator("#lib-doc input").click()
    page.get_by_role("option", name="ledger-adr.md (adr)").click()
    page.locator("#lib-delete").click()
    expect(page.locator("#lib-status")).to_contain_text("Deleted", timeout=WAIT)
    expect(page.locator("#lib-table")).not_to_contain_text("ledger-adr.md")


def _adrs_counted(pg) -> int:
    import re

    from playwright.sync_api import expect

    _tab(pg, "Progress")  # selecting the tab draws it
    row = pg.locator("#pg-summary tr").filter(has_text="12+ ADRs")
    expect(row).to_contain_text("adr document", timeout=WAIT)
    return int(re.search(r"(\d+) adr documents?", row.inner_text()).group(1))


def test_critiques_count_in_progress_with_plots_in_light_and_dark(page, browser, app_url, tmp_path):
    from playwright.sync_api import expect

    before = _adrs_counted(page)
    _tab(page, "Artifact Critic")
    for n in (1, 2):
        adr = tmp_path / f"progress-adr-{n}.md"
        adr.write_text(ADR.replace("the ledger", f"ledger {n}").replace("# ADR 7", f"# ADR 7{n}"))
        if n == 2:
            page.locator("#ac-file button[aria-label*='lear']").first.click()
        page.locator("#ac-file input[type=file]").set_input_files(str(adr))
        # Gradio may break the shown name before its extension ("progress-adr-2 .md").
        expect(page.locator("#ac-file")).to_contain_text(adr.stem, timeout=WAIT)
        page.locator("#ac-run").click()
        expect(page.locator("#ac-detected")).to_contain_text(adr.name, timeout=WAIT)
    _tab(page, "Progress")
    page.locator("#pg-refresh").click()
    row = page.locator("#pg-summary tr").filter(has_text="12+ ADRs")
    expect(row).to_contain_text(f"{before + 2} adr documents", timeout=WAIT)
    summary = page.locator("#pg-summary")
    expect(summary).to_contain_text("Month 1 of 4", timeout=WAIT)
    headers = summary.locator("th").all_inner_texts()
    assert headers[:5] == ["KPI", "You", "Target", "Counted", "Status"]  # every column named
    assert " 1 stories" not in summary.inner_text()
    for plot in ("#pg-kpis", "#pg-heatmap", "#pg-panels", "#pg-signals"):
        expect(page.locator(f"{plot} img, {plot} svg").first).to_be_visible(timeout=WAIT)
    expect(page.locator("#pg-pick input")).to_have_value(re.compile("Architecture Decision|ADR"))
    shot(page, "progress")

    dark = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    pg = dark.new_page()
    pg.goto(app_url + "?__theme=dark")
    pg.wait_for_selector("#engine-banner", timeout=WAIT)
    _tab(pg, "Progress")
    expect(pg.locator("#pg-summary")).to_contain_text("Month 1 of 4", timeout=WAIT)
    expect(pg.locator("#pg-heatmap img, #pg-heatmap svg").first).to_be_visible(timeout=WAIT)
    assert pg.evaluate("document.body.classList.contains('dark')")
    shot(pg, "progress-dark")
    dark.close()


def test_the_evals_tab_runs_a_suite_and_shows_its_report(page):
    from playwright.sync_api import expect

    _tab(page, "Evals")
    expect(page.locator("#ev-summary")).not_to_be_empty(timeout=WAIT)
    boxes = page.locator("#ev-suites input[type=checkbox]")
    for i in range(boxes.count()):
        boxes.nth(i).uncheck()
    page.locator("#ev-run").click()  # nothing picked: one sentence, the tab stays usable
    expect(page.locator("#ev-status")).to_contain_text("Pick at least one suite", timeout=WAIT)
    assert _toasts(page) == []
    page.locator("#ev-suites").get_by_label("flags", exact=True).check()
    page.locator("#ev-run").click()
    expect(page.locator("#ev-status")).to_contain_text("passed its gates", timeout=120_000)
    expect(page.locator("#ev-status")).not_to_contain_text("Pick at least one suite")
    expect(page.locator("#ev-summary")).to_contain_text("flags")
    expect(page.locator("#ev-summary")).to_contain_text("PASSED")
    shot(page, "evals")


def test_two_logged_in_users_cannot_see_each_others_artifacts(browser, auth_url, tmp_path):
    from playwright.sync_api import expect

    adr = tmp_path / "alice-ledger-adr.md"
    adr.write_text(ADR)
    alice_ctx, alice = _login(browser, auth_url, "alice", "wonderland")
    expect(alice.locator("#who")).to_contain_text("alice")
    _tab(alice, "Library")
    alice.locator("#lib-files input[type=file]").set_input_files(str(adr))
    expect(alice.locator("#lib-files")).to_contain_text("alice-ledger-adr.md", timeout=WAIT)
    alice.locator("#lib-upload").click()
    expect(alice.locator("#lib-table")).to_contain_text("alice-ledger-adr.md", timeout=WAIT)

    bob_ctx, bob = _login(browser, auth_url, "bob", "builder")
    expect(bob.locator("#who")).to_contain_text("bob")
    _tab(bob, "Library")
    bob.locator("#lib-refresh").click()
    bob.wait_for_timeout(1000)
    expect(bob.locator("#lib-table")).not_to_contain_text("alice-ledger-adr.md")
    shot(bob, "library-bob")
    alice_ctx.close()
    bob_ctx.close()


def _interview_to_export(pg) -> list[str]:
    """One typed question, no follow-ups, one answer: the Markdown and PDF download URLs."""
    from playwright.sync_api import expect

    _number(pg, "iv-follow", 0)
    _number(pg, "iv-length", 1)
    pg.locator("#iv-mode").get_by_text("Type my own").click()
    pg.locator("#iv-own textarea").fill(URL_QUESTION)
    pg.locator("#iv-start").click()
    expect(pg.locator("#iv-chat")).to_contain_text(URL_QUESTION, timeout=WAIT)
    pg.locator("#iv-answer textarea").fill(URL_ANSWER)
    pg.locator("#iv-send").click()
    expect(pg.locator("#iv-scorecard")).to_contain_text("Question 1:", timeout=WAIT)
    expect(pg.locator("#iv-md")).to_contain_text("interview-", timeout=WAIT)
    expect(pg.locator("#iv-pdf")).to_contain_text("interview-", timeout=WAIT)
    return [pg.locator(f"#{e} a").first.get_attribute("href") for e in ("iv-md", "iv-pdf")]


def test_alice_exports_signs_out_and_bob_cannot_fetch_her_scorecard(browser, auth_url):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    login = context.new_page()
    login.goto(auth_url)
    expect(login.get_by_role("button", name="Login")).to_be_visible(timeout=WAIT)
    expect(login.locator("body")).to_contain_text("Sign in to StaffSim")
    assert "STAFFSIM" not in login.content()  # the login page names no environment variable
    shot(login, "auth-login")
    context.close()

    alice_ctx, alice = _login(browser, auth_url, "alice", "wonderland")
    expect(alice.locator("#logout")).to_be_visible()
    href, pdf_href = _interview_to_export(alice)
    mine = alice.request.get(href)
    assert mine.status == 200 and URL_QUESTION in mine.text()
    assert URL_QUESTION in _pdf_text(alice.request.get(pdf_href).body())
    shot(alice, "auth-alice-exported")

    bob_ctx, bob = _login(browser, auth_url, "bob", "builder")
    for url in (href, pdf_href):  # bob is signed in and has the exact URLs
        refused = bob.request.get(url)
        assert refused.status == 404 and URL_QUESTION not in refused.text()
    bob_ctx.close()

    alice.locator("#logout").click()
    expect(alice.get_by_role("button", name="Login")).to_be_visible(timeout=WAIT)
    assert alice.locator("#engine-banner").count() == 0
    shot(alice, "auth-signed-out")
    assert alice.request.get(href).status in (401, 403)  # signed out: the file is not served
    alice.goto(auth_url)  # the app is behind the login again, not one click away
    expect(alice.get_by_role("button", name="Login")).to_be_visible(timeout=WAIT)
    alice_ctx.close()


def test_a_wrong_password_is_one_message_and_the_form_stays(browser, auth_url):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.goto(auth_url)
    pg.get_by_label("username").fill("alice")
    pg.get_by_label("password").fill("not-her-password")
    pg.get_by_role("button", name="Login").click()
    expect(pg.locator("body")).to_contain_text("Incorrect", timeout=WAIT)
    assert "Traceback" not in pg.content()
    pg.get_by_label("username").fill("alice")  # the form is still usable
    pg.get_by_label("password").fill("wonderland")
    pg.get_by_role("button", name="Login").click()
    pg.wait_for_selector("#engine-banner", timeout=WAIT)
    context.close()


def test_the_page_answers_while_warming_up_and_an_early_click_waits(browser, tmp_path):
    """A fresh app.py: the page is up before the models, says so, and a grade clicked
    meanwhile is answered once they have loaded; then the warming-up line clears."""
    from playwright.sync_api import expect

    server = Server(tmp_path / "fresh").wait(warmed=False)
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        pg = context.new_page()
        pg.goto(server.url)
        pg.wait_for_selector("#engine-banner", timeout=WAIT)
        warming = not server.warmed()
        if warming:
            expect(pg.locator("#warmup")).to_contain_text("Warming up", timeout=WAIT)
            shot(pg, "warming-up")
        _tab(pg, "Design Grading")
        pg.locator("#dg-answer textarea").fill(URL_ANSWER)
        pg.locator("#dg-run").click()
        expect(pg.locator("#dg-summary")).to_contain_text("/5", timeout=120_000)
        expect(pg.locator("#warmup")).to_be_hidden(timeout=WAIT)
        assert server.warmed() and _toasts(pg) == []
        context.close()
        assert warming, "the models loaded before the page did: nothing showed warming up"
    finally:
        server.stop()
