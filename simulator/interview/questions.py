"""Choosing the main questions: the panel's bank, and the candidate's own artifacts."""

from __future__ import annotations

import random
import re
from typing import Any

from simulator.errors import UserError
from simulator.interview.texts import load_texts
from simulator.knowledge.rubrics import PanelRubric

_HEADING = re.compile(r"^\s*#+\s*(.+?)\s*$", re.MULTILINE)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_MAX_DECISION_WORDS = 25


def topic_of(question: str) -> str:
    """The subject of a question, for `{topic}` slots ("the multi-region rate limiter")."""
    rules = load_texts().topic
    m = re.match(rules.design_prefix, question.strip(), re.IGNORECASE)
    if not m:
        return rules.fallback
    words: list[str] = []
    stops = {w.lower() for w in rules.stop_words}
    for word in question.strip()[m.end() :].split():
        bare = word.strip(",.;:?").lower()
        if words and bare in stops:
            break
        words.append(word.strip(",.;:?"))
        if word.endswith((",", ".", ";", ":", "?")):
            break
    if not words:
        return rules.fallback
    if words[0].lower() in ("a", "an"):
        words[0] = "the"
    elif words[0].lower() != "the":
        words.insert(0, "the")
    return " ".join(words)


def bank_entry(rubric: PanelRubric, index: int) -> dict[str, Any]:
    """The plan item of the bank's question `index` (0-based)."""
    text = rubric.questions[index]
    return {"text": text, "topic": topic_of(text), "source": "bank", "bank_index": index}


def chosen_question(rubric: PanelRubric, wanted: str) -> dict[str, Any]:
    """A plan item for what the candidate asked for: a bank id (`3` or `#3`, as numbered by
    `staffsim interview --panel P --list-questions`), a bank question's text, or their own
    question (a design question is matched to a known design problem when one fits)."""
    text = " ".join((wanted or "").split())
    if not text:
        raise UserError("The question is empty; give a bank id, a bank question or your own.")
    number = text.lstrip("#")
    if number.isdigit():
        n = int(number)
        if not 1 <= n <= len(rubric.questions):
            raise UserError(
                f"The {rubric.name} bank has questions 1 to {len(rubric.questions)}, not {n}; "
                f"`staffsim interview --panel {rubric.id} --list-questions` lists them."
            )
        return bank_entry(rubric, n - 1)
    folded = _fold(text)
    for index, question in enumerate(rubric.questions):
        if _fold(question) == folded:
            return bank_entry(rubric, index)
    if len(text.split()) < 3:
        raise UserError(
            f"{text!r} is neither a bank id nor a question; give a number from "
            f"`staffsim interview --panel {rubric.id} --list-questions` or a full question."
        )
    item: dict[str, Any] = {"text": text, "topic": topic_of(text), "source": "own"}
    from simulator.grading.detectors.mechanism import problem_for

    problem = problem_for(text)
    if problem is not None:
        item["problem"] = problem.id
        item["problem_name"] = problem.name
    return item


def _fold(text: str) -> str:
    return " ".join(text.lower().split()).rstrip(" .?!")


def plan_questions(
    rubric: PanelRubric,
    count: int,
    *,
    seed: str,
    artifacts: list[dict[str, Any]] | None = None,
    chosen: list[str] | None = None,
    recent: list[int] | None = None,
) -> list[dict[str, Any]]:
    """`count` main questions: the `chosen` ones first (bank ids, bank texts or the
    candidate's own), then artifact-grounded ones (when given), then random bank questions,
    those not in `recent` (bank indexes practised lately, most recent first) before the rest."""
    plan: list[dict[str, Any]] = [chosen_question(rubric, q) for q in chosen or []]
    count = max(count, len(plan))
    texts = load_texts().artifacts
    if artifacts and rubric.id in texts.panels and len(plan) < count:
        left = count - len(plan)
        limit = min(texts.max_questions, len(artifacts), max(1, left - 1) if left > 1 else 1)
        for art in artifacts[:limit]:
            plan.append(
                {
                    "text": artifact_question(art),
                    "topic": f'your {_kind_name(art.get("kind"))} "{art["title"]}"',
                    "source": "artifact",
                    "doc_id": art.get("doc_id"),
                }
            )
    rng = random.Random(seed)
    taken = {p.get("bank_index") for p in plan}
    fresh = [i for i in range(len(rubric.questions)) if i not in taken]
    rng.shuffle(fresh)
    lately = list(dict.fromkeys(recent or []))
    # Never practised lately first, then the least recently practised.
    fresh.sort(key=lambda i: len(lately) - lately.index(i) if i in lately else 0)
    plan += [bank_entry(rubric, i) for i in fresh[: count - len(plan)]]
    return plan


def artifact_question(art: dict[str, Any]) -> str:
    """A question built from an artifact's title and its decision sentence."""
    texts = load_texts().artifacts
    kind = _kind_name(art.get("kind"))
    decision = art.get("decision")
    template = texts.with_decision if decision else texts.without_decision
    return " ".join(template.format(kind=kind, title=art["title"], decision=decision or "").split())


def _kind_name(kind: str | None) -> str:
    names = load_texts().artifacts.kind_names
    return names.get(kind or "", names.get("default", "document"))


def decision_sentence(text: str) -> str | None:
    """The first sentence of `text` that states a decision, trimmed to a quotable length."""
    words = [w.lower() for w in load_texts().artifacts.decision_words]
    for m in _SENTENCE.finditer(text):
        sentence = " ".join(m.group().split()).strip(" -*>#")
        low = sentence.lower()
        if len(sentence.split()) < 4 or not any(w in low for w in words):
            continue
        parts = sentence.split()
        if len(parts) > _MAX_DECISION_WORDS:
            sentence = " ".join(parts[:_MAX_DECISION_WORDS]) + " …"
        return sentence.rstrip(".")
    return None


def title_of(text: str, source: str) -> str:
    """A document's first heading (without an `ADR-12:` style prefix), else its file stem."""
    m = _HEADING.search(text)
    if m:
        title = re.sub(r"^(adr|rfc)[\s-]*\d+\s*[:.-]\s*", "", m.group(1), flags=re.IGNORECASE)
        return title.strip() or m.group(1)
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return stem.replace("-", " ").replace("_", " ")


def user_artifacts(user: str) -> list[dict[str, Any]]:
    """The user's stored artifacts as {doc_id, kind, title, decision}, newest store order.

    Reads the store only when one exists under the data root (or a Chroma server is set),
    so panels without artifacts stay fast; any store problem means "no artifacts".
    """
    from simulator.config import get_settings

    settings = get_settings()
    if not settings.chroma_host and not (settings.home / "chroma").exists():
        return []
    try:
        from simulator.store.chroma import ARTIFACTS, Store

        records = Store(settings).records(ARTIFACTS)
    except Exception:  # noqa: BLE001 - the interview must run without a usable store
        return []
    docs: dict[str, dict[str, Any]] = {}
    for rec in records:
        if rec.meta.get("user") != user:
            continue
        doc = docs.setdefault(
            rec.meta.get("doc_id", rec.id),
            {
                "doc_id": rec.meta.get("doc_id", rec.id),
                "kind": rec.meta.get("kind"),
                "source": str(rec.meta.get("source", "")),
                "chunks": [],
            },
        )
        doc["chunks"].append((int(rec.meta.get("index", rec.meta.get("chunk", 0)) or 0), rec.text))
    out = []
    for doc in sorted(docs.values(), key=lambda d: d["source"]):
        text = "\n".join(t for _, t in sorted(doc.pop("chunks"), key=lambda c: c[0]))
        doc["title"] = title_of(text, doc["source"])
        doc["decision"] = decision_sentence(text)
        out.append(doc)
    return out
