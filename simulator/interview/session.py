"""The interview flow: intro -> question -> answer -> follow-ups -> next question -> wrap-up.

`Interview` is driven the same way by the CLI and the web app: `start()` returns the
interviewer's opening turns, `answer(text)` stores the answer (committed before anything
else happens), grades it and returns the interviewer's next turns. State lives in SQLite
only, so `Interview.load(id).start()` resumes a session after a crash.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from simulator.config import get_settings
from simulator.errors import UserError
from simulator.interview import followup, hard_cases
from simulator.interview.questions import plan_questions, user_artifacts
from simulator.interview.scorecard import QuestionGrade, Scorecard, build_scorecard
from simulator.interview.storage import SessionRow, SessionStore, Turn
from simulator.interview.texts import load_texts
from simulator.knowledge.design import design_knowledge
from simulator.knowledge.rubrics import PanelRubric, get_panel

LEVELS = ("senior", "staff", "principal")
MAX_QUESTIONS = 5
MAX_FOLLOW_UPS = 5
#: A bank question asked in this many of the user's latest sessions of a panel is "recent".
RECENT_SESSIONS = 10


class Interview:
    """One mock interview session, persisted turn by turn."""

    def __init__(self, row: SessionRow, store: SessionStore):
        self.row = row
        self.store = store
        self.rubric: PanelRubric = get_panel(row.panel)
        self.transcript: list[Turn] = store.turns(row.id)

    # -- creation ---------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        panel: str,
        *,
        level: str = "staff",
        questions: int = 3,
        follow_ups: int = 2,
        user: str | None = None,
        store: SessionStore | None = None,
        chosen: list[str] | None = None,
    ) -> Interview:
        """A new session for `user` (default: settings.user); nothing is asked until `start()`.

        `chosen` questions (bank ids, bank texts or the candidate's own) come first; the rest
        are bank questions the user has not practised lately on this panel.
        """
        rubric = get_panel(panel)
        chosen = [q for q in chosen or [] if q is not None]
        questions = max(questions, len(chosen))
        if level not in LEVELS:
            raise UserError(f"Unknown level {level!r}; choose one of: {', '.join(LEVELS)}.")
        if not 1 <= questions <= MAX_QUESTIONS:
            raise UserError(
                f"An interview has 1 to {MAX_QUESTIONS} main questions, not {questions}."
            )
        if not 0 <= follow_ups <= MAX_FOLLOW_UPS:
            raise UserError(
                f"Follow-ups per question go from 0 to {MAX_FOLLOW_UPS}, not {follow_ups}."
            )
        settings = get_settings()
        user = user or settings.user
        store = store or SessionStore()
        artifacts = user_artifacts(user) if rubric.id in load_texts().artifacts.panels else []
        import uuid

        plan = plan_questions(
            rubric,
            questions,
            seed=uuid.uuid4().hex,
            artifacts=artifacts,
            chosen=chosen,
            recent=recent_bank_questions(store, user, rubric.id),
        )
        row = store.create_session(
            user=user,
            panel=rubric.id,
            level=level,
            questions=len(plan),
            follow_ups=follow_ups,
            engine=settings.engine_name,
            plan=plan,
        )
        return cls(row, store)

    @classmethod
    def load(
        cls, session_id: str, *, user: str | None = None, store: SessionStore | None = None
    ) -> Interview:
        """An existing session of `user` (another user's is reported as unknown)."""
        store = store or SessionStore()
        return cls(store.get_session(session_id, user or get_settings().user), store)

    # -- state ------------------------------------------------------------------------

    @property
    def id(self) -> str:
        return self.row.id

    @property
    def done(self) -> bool:
        """Finished: every question asked, or ended early."""
        return self.row.status in ("done", "ended")

    @property
    def paused(self) -> bool:
        return self.row.status == "paused"

    @property
    def answered_questions(self) -> int:
        """Main questions with at least one counted answer."""
        return len({q for _, q, g in self.store.grades(self.id) if not g.get("not_counted")})

    @property
    def pending(self) -> Turn | None:
        """The interviewer turn waiting for an answer, if any."""
        last = self.transcript[-1] if self.transcript else None
        return last if last is not None and last.awaits_answer else None

    def _question_index(self) -> int:
        return max((t.question_index for t in self.transcript), default=0)

    def _base(self, turn: Turn) -> Turn:
        """The question or follow-up a re-ask repeats."""
        while turn.kind == "reask":
            turn = next(t for t in self.transcript if t.seq == turn.meta["of"])
        return turn

    def _reasks(self) -> int:
        count = 0
        for turn in reversed(self.transcript):
            if turn.kind == "reask":
                count += 1
            elif turn.role == "interviewer" and turn.awaits_answer:
                break
        return count

    def _save(self, turns: list[Turn]) -> list[Turn]:
        self.store.add_turns(self.id, turns)
        self.transcript.extend(turns)
        return turns

    # -- driving ----------------------------------------------------------------------

    def start(self) -> list[Turn]:
        """The opening turns of a new session, or where a saved session left off."""
        if not self.transcript:
            texts = load_texts()
            intro = texts.intro.format(
                panel_name=self.rubric.name,
                level=self.row.level.title(),
                level_text=self.rubric.levels[self.row.level],  # type: ignore[index]
                questions=self.row.questions,
            )
            return self._save(
                [Turn(0, "interviewer", "intro", " ".join(intro.split()), 0), self._question(0)]
            )
        if self.paused:
            self.row.status = "active"
            self.store.set_status(self.id, "active")
        last = self.transcript[-1]
        if last.role == "candidate":
            return self._respond(last)  # the answer was saved, the reply was not
        if self.pending is not None:
            return [self.pending]
        return []

    def answer(self, text: str) -> list[Turn]:
        """Store the candidate's answer, then return the interviewer's next turns."""
        if self.done:
            raise UserError(f"Session {self.id} is finished; export its scorecard instead.")
        pending = self.pending
        if pending is None:
            raise UserError("The interview has not asked anything yet; call start() first.")
        if self.paused:
            self.row.status = "active"
            self.store.set_status(self.id, "active")
        base = self._base(pending)
        screened = hard_cases.screen(text)
        if screened.kind == "empty":
            if self._reasks() < load_texts().hard_cases.max_reasks:
                return self._save([self._reask("empty", base)])
            return self._save(self._next(skip_follow_ups=True))
        flags = [screened.kind] if screened.kind != "ok" else []
        if screened.truncated:
            flags.append("too_long")
        answer = Turn(
            0,
            "candidate",
            "answer",
            text,
            base.question_index,
            signal=base.signal,
            meta={"flags": flags, "words": screened.words, "answers": base.seq},
        )
        self._save([answer])  # committed before any reply is worked out
        return self._respond(answer)

    def answer_stream(self, text: str, *, chunk_words: int = 4) -> Iterator[str]:
        """`answer` as a stream of text chunks (LLM engine: follow-ups re-phrased live)."""
        turns = self.answer(text)
        for n, turn in enumerate(turns):
            if n:
                yield "\n\n"
            if turn.kind == "follow_up" and not get_settings().is_offline:
                yield from self._phrase(turn)
                continue
            words = turn.text.split(" ")
            for i in range(0, len(words), chunk_words):
                yield (" " if i else "") + " ".join(words[i : i + chunk_words])

    def _phrase(self, turn: Turn) -> Iterator[str]:
        """Stream the follow-up through `interviewer_turn`; keep the stored text on failure."""
        from simulator.llm import get_engine

        try:
            stream = get_engine().stream(
                "interviewer_turn",
                {
                    "panel_name": self.rubric.name,
                    "level": self.row.level,
                    "instruction": f"Ask exactly this follow-up, in one or two sentences: {turn.text}",
                    "transcript": [
                        {"role": t.role, "content": t.text} for t in self.transcript[-6:-1]
                    ],
                },
                rubric_ref=self.rubric.ref,
            )
            parts: list[str] = []
            for chunk in stream:
                parts.append(chunk)
                yield chunk
        except UserError:
            if not parts:
                yield turn.text
            return
        phrased = "".join(parts).strip()
        if phrased:
            self.store.update_turn_text(self.id, turn.seq, phrased)
            turn.text = phrased

    # -- control ----------------------------------------------------------------------

    def pause(self) -> None:
        """Mark the session paused (every answer is already saved); `start()` resumes it."""
        if self.done:
            raise UserError(f"Session {self.id} is finished; there is nothing to pause.")
        self.row.status = "paused"
        self.store.set_status(self.id, "paused")

    def skip(self) -> list[Turn]:
        """Skip the current question (no answer is counted for it): the next one, or the end."""
        if self.done:
            raise UserError(f"Session {self.id} is finished; there is nothing to skip.")
        pending = self.pending
        if pending is None:
            raise UserError("The interview has not asked anything yet; call start() first.")
        qi = pending.question_index
        text = _words(load_texts().control.skipped.format(n=qi + 1))
        self._save([Turn(0, "interviewer", "skipped", text, qi)])
        return self._save(self._next(skip_follow_ups=True))

    def end(self) -> list[Turn]:
        """End the interview now: the scorecard covers the answers so far."""
        if self.done:
            raise UserError(f"Session {self.id} is already finished.")
        qi = self._question_index()
        text = _words(load_texts().control.ended)
        turns = [Turn(0, "interviewer", "wrap_up", text, qi)]
        self.row.status = "ended"
        self.row.scorecard = self.scorecard().model_dump(mode="json")
        self.store.set_status(self.id, "ended", self.row.scorecard)
        return self._save(turns)

    # -- replies ----------------------------------------------------------------------

    def _respond(self, answer: Turn) -> list[Turn]:
        """The interviewer's reply to a saved answer (grading it first if not yet graded)."""
        texts = load_texts().hard_cases
        base = next(t for t in self.transcript if t.seq == answer.meta.get("answers"))
        base = self._base(base)
        screened = hard_cases.screen(answer.text)
        if screened.kind == "non_english" and self._reasks() < texts.max_reasks:
            return self._save([self._reask("non_english", base)])
        grade = self._grade(answer, screened.text)
        replies: list[Turn] = []
        qi = answer.question_index
        if grade.get("offtopic") and base.kind == "question":
            if not self._offtopic_reasked(qi):
                # The first off-topic answer to a question is retried and does not count.
                self.store.add_grade(self.id, answer.seq, qi, {**grade, "not_counted": True})
                return self._save([self._offtopic_reask(base, grade)])
            replies.append(Turn(0, "interviewer", "note", _words(load_texts().offtopic.graded), qi))
        if screened.truncated:
            note = texts.too_long.format(words=screened.words, limit=texts.max_answer_words)
            replies.append(Turn(0, "interviewer", "note", " ".join(note.split()), qi))
        if grade.get("injection"):
            replies.append(Turn(0, "interviewer", "note", " ".join(texts.injection.split()), qi))
        if screened.kind == "dont_know":
            replies.append(self._hint(base, qi))
            replies += self._next(skip_follow_ups=True)
        else:
            skip = [(e["start"], e["end"]) for e in grade.get("injection_findings", [])]
            replies += self._next(answer_text=screened.text, skip=skip)
        return self._save(replies)

    def _grade(self, answer: Turn, text: str) -> dict[str, Any]:
        for seq, _, stored in self.store.grades(self.id):
            if seq == answer.seq:
                return stored
        from simulator.grading import grade_answer

        question = self.row.plan[answer.question_index]["text"]
        # STAFFSIM_LLM_GRADING=offline (the default) keeps a turn on the LLM engine to one
        # short generation, the follow-up; a full LLM grade takes minutes on a CPU server.
        engine = "offline" if get_settings().llm_grading == "offline" else None
        grade = grade_answer(self.rubric.id, question, text, engine=engine).model_dump(mode="json")
        self.store.add_grade(self.id, answer.seq, answer.question_index, grade)
        return grade

    def _reask(self, why: str, base: Turn) -> Turn:
        template = getattr(load_texts().hard_cases, why)
        question = base.meta.get("question", base.text)
        text = " ".join(template.format(question=question).split())
        return Turn(
            0, "interviewer", "reask", text, base.question_index, base.signal, {"of": base.seq}
        )

    def _hint(self, base: Turn, qi: int) -> Turn:
        """The first sentence of what interviewers look for, on what the turn probed."""
        found = design_knowledge().hard_part(base.meta.get("hard_part") or "")
        if found is not None:
            _, part = found
            name, look_for, signal_id = part.name, part.description, None
        else:
            if base.signal:
                signal = self.rubric.signal(base.signal)
            else:
                best = followup.merge_best(self._question_grades(qi))
                weak = followup.weak_signals(self.rubric, best)
                signal = weak[0] if weak else max(self.rubric.signals, key=lambda s: s.weight)
            name, look_for, signal_id = signal.name, signal.strong, signal.id
        hint = look_for.split(". ")[0].strip().rstrip(".") + "."
        text = load_texts().hard_cases.dont_know.format(signal_name=name, hint=hint)
        return Turn(0, "interviewer", "hint", " ".join(text.split()), qi, signal_id)

    def _question_grades(self, qi: int) -> list[dict[str, Any]]:
        """The counted answers' grades of question `qi` (a retried off-topic one is not)."""
        return [g for _, q, g in self.store.grades(self.id) if q == qi and not g.get("not_counted")]

    def _offtopic_reasked(self, qi: int) -> bool:
        return any(
            t.kind == "reask" and t.meta.get("why") == "offtopic" and t.question_index == qi
            for t in self.transcript
        )

    def _offtopic_reask(self, base: Turn, grade: dict[str, Any]) -> Turn:
        """ "That sounds like X; the question is about Y. Want to try it again?" """
        texts = load_texts().offtopic
        answered, asked = offtopic_reading(grade)
        question = base.meta.get("question", base.text)
        if answered:
            text = texts.retry.format(answered=answered, asked=asked, question=question)
        else:
            text = texts.retry_unnamed.format(question=question)
        meta = {"of": base.seq, "why": "offtopic"}
        return Turn(0, "interviewer", "reask", _words(text), base.question_index, None, meta)

    def question_grade(self, qi: int) -> QuestionGrade | None:
        """Question `qi` graded on its counted answers read together (cached in SQLite);
        None when nothing counted was answered."""
        grades = self.store.grades(self.id)
        counted = [(seq, g) for seq, q, g in grades if q == qi and not g.get("not_counted")]
        dropped = sum(1 for _, q, g in grades if q == qi and g.get("not_counted"))
        if not counted:
            return None
        item = self.row.plan[qi]
        seqs = [seq for seq, _ in counted]
        if len(counted) == 1:
            grade = counted[0][1]
        else:
            cached = self.store.question_grades(self.id).get(qi)
            if cached is not None and cached[0] == seqs:
                grade = cached[1]
            else:
                by_seq = {t.seq: t for t in self.transcript}
                text = "\n\n".join(hard_cases.screen(by_seq[seq].text).text for seq in seqs)
                grade = self._grade_text(item["text"], text)
                self.store.add_question_grade(self.id, qi, seqs, grade)
        return QuestionGrade(qi, item, grade, len(counted), dropped)

    def _grade_text(self, question: str, text: str) -> dict[str, Any]:
        from simulator.grading import grade_answer

        engine = "offline" if get_settings().llm_grading == "offline" else None
        return grade_answer(self.rubric.id, question, text, engine=engine).model_dump(mode="json")

    def _question(self, qi: int) -> Turn:
        texts = load_texts()
        item = self.row.plan[qi]
        text = texts.question.format(n=qi + 1, of=self.row.questions, question=item["text"])
        if qi:
            text = f"{self._lead(texts.next_question_lead)} {text}"
        meta = {"question": item["text"]}
        if item.get("problem"):
            meta["problem"] = item["problem"]
        return Turn(0, "interviewer", "question", text, qi, meta=meta)

    def _lead(self, leads: list[str]) -> str:
        """A transition that differs from the last ones said (picked by session, not fixed)."""
        said = [t.text for t in self.transcript if t.role == "interviewer"][-4:]
        start = sum(map(ord, self.id))
        n = len([t for t in self.transcript if t.role == "interviewer"])
        for shift in range(len(leads)):
            lead = leads[(start + n + shift) % len(leads)]
            if not any(t.startswith(lead) for t in said):
                return lead
        return leads[(start + n) % len(leads)]

    def _next(
        self,
        *,
        answer_text: str = "",
        skip: list[tuple[int, int]] | None = None,
        skip_follow_ups: bool = False,
    ) -> list[Turn]:
        """A follow-up on the current question, else the next question, else the wrap-up."""
        qi = self._question_index()
        asked = [t for t in self.transcript if t.kind == "follow_up"]
        here = [t for t in asked if t.question_index == qi]
        if not skip_follow_ups and answer_text and len(here) < self.row.follow_ups:
            turn = self._follow_up(qi, answer_text, asked, skip or [])
            if turn is not None:
                return [turn]
        self.question_grade(qi)  # the question is closed: grade its answers together now
        if qi + 1 < self.row.questions:
            return [self._question(qi + 1)]
        return self._finish(qi)

    def _follow_up(
        self, qi: int, answer_text: str, asked: list[Turn], skip: list[tuple[int, int]]
    ) -> Turn | None:
        """A weak signal first, then a hard part of the design problem left out, alternating."""
        grades = self._question_grades(qi)
        here = [t for t in asked if t.question_index == qi]
        texts = {t.meta.get("ask", t.text) for t in asked}
        passed, near = _checks_so_far(grades)
        part = followup.hard_part_follow_up(
            followup.unsolved_parts(grades),
            probed={t.meta["hard_part"] for t in here if t.meta.get("hard_part")},
            asked=texts,
        )
        signal = followup.choose_follow_up(
            self.rubric,
            followup.merge_best(grades),
            answer=answer_text,
            topic=self.row.plan[qi]["topic"],
            asked=texts,
            used_templates={
                (t.signal, t.meta["template"])
                for t in asked
                if t.signal and t.meta.get("template") is not None
            },
            skip=skip,
            probed=_count(t.signal for t in here if t.signal),
            passed=passed,
            near=near,
            probed_checks={t.meta["check"] for t in here if t.meta.get("check")},
        )
        first, second = (part, signal) if len(here) % 2 else (signal, part)
        chosen = first or second
        if chosen is None:
            return None
        if not get_settings().is_offline:
            chosen = followup.llm_follow_up(
                self.rubric,
                chosen.signal,
                question=self.row.plan[qi]["text"],
                answer=answer_text,
                asked=texts,
                fallback=chosen,
            )
        meta = {"template": chosen.template, "source": chosen.source, "ask": chosen.text}
        if chosen.check:
            meta["check"] = chosen.check
        if chosen.hard_part:
            meta["hard_part"] = chosen.hard_part
        if chosen.quote:
            meta["quote"] = chosen.quote
        if chosen.prompt:
            meta["prompt"] = chosen.prompt
        text = chosen.text
        if chosen.source == "template":
            text = f"{self._lead(load_texts().follow_up_lead)} {text}"
        return Turn(0, "interviewer", "follow_up", text, qi, chosen.signal, meta)

    def _finish(self, qi: int) -> list[Turn]:
        texts = load_texts()
        turns = [Turn(0, "interviewer", "wrap_up", " ".join(texts.wrap_up.split()), qi)]
        card = self.scorecard()
        if card.hire is not None:
            template = (
                texts.bar_raiser.hire if card.hire.decision == "Hire" else texts.bar_raiser.no_hire
            )
            text = template.format(reasons=" ".join(card.hire.reasons))
            turns.append(Turn(0, "interviewer", "recommendation", text, qi))
        self.row.status = "done"
        self.row.scorecard = card.model_dump(mode="json")
        self.store.set_status(self.id, "done", self.row.scorecard)
        return turns

    # -- results ----------------------------------------------------------------------

    def scorecard(self) -> Scorecard:
        """The scorecard of the answers so far (final once the session is done)."""
        flags = []
        notes = {
            "too_long": "An answer was cut to its first part before grading.",
            "non_english": "An answer was not in English; it was recorded and asked again.",
            "dont_know": "The candidate said they did not know; a hint was given.",
        }
        for turn in self.transcript:
            for flag in turn.meta.get("flags", []):
                if notes.get(flag) and notes[flag] not in flags:
                    flags.append(notes[flag])
        grades = self.store.grades(self.id)
        if any(g.get("not_counted") for _, _, g in grades):
            flags.append("An off-topic answer was retried; the retried attempt does not count.")
        grades = [(seq, qi, g) for seq, qi, g in grades if not g.get("not_counted")]
        if any(g.get("injection") for _, _, g in grades):
            flags.append(
                "An answer tried to steer the interviewer or the grade; that part was ignored."
            )
        prompts = sorted({t.meta["prompt"] for t in self.transcript if t.meta.get("prompt")})
        if self.row.status == "ended":
            flags.append("The interview was ended early; the scorecard covers what was answered.")
        skipped = sorted({t.question_index + 1 for t in self.transcript if t.kind == "skipped"})
        if skipped:
            flags.append("Skipped: question " + ", ".join(map(str, skipped)) + ".")
        questions = [self.question_grade(qi) for qi in range(len(self.row.plan))]
        from datetime import datetime

        card = build_scorecard(
            self.rubric,
            session=self.id,
            level=self.row.level,
            engine=self.row.engine,
            grades=grades,
            questions=[q for q in questions if q is not None],
            prompts=prompts,
            flags=flags,
        )
        card.date = datetime.fromtimestamp(self.row.created_at).strftime("%Y-%m-%d %H:%M")
        return card

    def to_dict(self) -> dict[str, Any]:
        """The session header, its transcript and (when done) its scorecard, as JSON data."""
        out = self.row.to_dict()
        out["transcript"] = [t.to_dict() for t in self.transcript]
        out["scorecard"] = self.scorecard().model_dump(mode="json") if self.done else None
        return out


def _words(text: str) -> str:
    return " ".join(text.split())


def _checks_so_far(grades: list[dict[str, Any]]) -> tuple[set[str], dict[str, str]]:
    """Check ids some answer passed, and a near-miss sentence for each check none passed."""
    passed: set[str] = set()
    near: dict[str, str] = {}
    for grade in grades:
        for signal in grade.get("signals", []):
            for check in signal.get("checks", []):
                if check.get("passed"):
                    passed.add(check["id"])
                elif check.get("near") and check["id"] not in near:
                    near[check["id"]] = check["near"]["text"]
    return passed, {k: v for k, v in near.items() if k not in passed}


_OFFTOPIC = re.compile(r'Off-topic: this answers "(.+?)"; the question was "(.+?)"')


def offtopic_reading(grade: dict[str, Any]) -> tuple[str | None, str]:
    """(what the answer seems to answer, what was asked) in the interviewer's words, read
    from the grade's off-topic pitfall; a design problem's name gets an article."""
    for pitfall in grade.get("pitfalls", []):
        m = _OFFTOPIC.search(pitfall)
        if m:
            return _named(m.group(1)), _named(m.group(2), asked=True)
    return None, ""


def _named(text: str, *, asked: bool = False) -> str:
    names = {p.name.lower() for p in design_knowledge().problems}
    if text.lower() in names:
        name = text[0].lower() + text[1:] if not text[:2].isupper() else text
        article = "an" if name[0].lower() in "aeiou" else "a"
        return f"about {article} {name}" if asked else f"{article} {name}"
    return f'"{text}"' if asked else f'an answer to "{text}"'


def recent_bank_questions(store: SessionStore, user: str, panel: str) -> list[int]:
    """Bank indexes of `panel` the user practised in their last sessions, most recent first."""
    out: list[int] = []
    rows = [r for r in store.list_sessions(user) if r.panel == panel][:RECENT_SESSIONS]
    for row in rows:
        out += [p["bank_index"] for p in row.plan if p.get("bank_index") is not None]
    return out


def _count(items) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        out[item] = out.get(item, 0) + 1
    return out
