"""SQLite persistence of sessions, turns and grades, with ordered schema migrations.

Every write commits at once: an answer is on disk before the interviewer replies,
so a crash or a closed browser loses nothing (`Interview.resume` picks it up).
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.config import get_settings
from simulator.errors import UserError

DB_NAME = "sessions.db"

#: Ordered schema migrations; entry i brings the schema to version i + 1. Append only.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        user TEXT NOT NULL,
        panel TEXT NOT NULL,
        level TEXT NOT NULL,
        questions INTEGER NOT NULL,
        follow_ups INTEGER NOT NULL,
        engine TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'active',
        plan TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX sessions_user ON sessions (user, created_at);
    CREATE TABLE turns (
        session_id TEXT NOT NULL REFERENCES sessions (id),
        seq INTEGER NOT NULL,
        role TEXT NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        question_index INTEGER NOT NULL,
        signal TEXT,
        meta TEXT NOT NULL DEFAULT '{}',
        created_at REAL NOT NULL,
        PRIMARY KEY (session_id, seq)
    );
    CREATE TABLE grades (
        session_id TEXT NOT NULL REFERENCES sessions (id),
        turn_seq INTEGER NOT NULL,
        question_index INTEGER NOT NULL,
        grade TEXT NOT NULL,
        created_at REAL NOT NULL,
        PRIMARY KEY (session_id, turn_seq)
    );
    """,
    """
    ALTER TABLE sessions ADD COLUMN scorecard TEXT;
    """,
    """
    CREATE TABLE question_grades (
        session_id TEXT NOT NULL REFERENCES sessions (id),
        question_index INTEGER NOT NULL,
        answers TEXT NOT NULL,
        grade TEXT NOT NULL,
        created_at REAL NOT NULL,
        PRIMARY KEY (session_id, question_index)
    );
    """,
]


@dataclass
class Turn:
    """One utterance of the transcript."""

    seq: int
    role: str  # interviewer | candidate
    kind: str  # intro, question, follow_up, answer, reask, hint, note, wrap_up, recommendation
    text: str
    question_index: int
    signal: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def awaits_answer(self) -> bool:
        """Whether the candidate is expected to reply to this turn."""
        return self.role == "interviewer" and self.kind in ("question", "follow_up", "reask")

    @property
    def probes(self) -> str | None:
        """What a follow-up aims at: a rubric signal id or a design problem's hard part id."""
        return self.signal or self.meta.get("hard_part")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"seq": self.seq, "role": self.role, "kind": self.kind}
        out["text"] = self.text
        out["question_index"] = self.question_index
        if self.signal:
            out["signal"] = self.signal
        if self.meta.get("hard_part"):
            out["hard_part"] = self.meta["hard_part"]
        if self.meta.get("flags"):
            out["flags"] = self.meta["flags"]
        return out


@dataclass
class SessionRow:
    """A session's header: who, which panel, how long, and how far it got."""

    id: str
    user: str
    panel: str
    level: str
    questions: int
    follow_ups: int
    engine: str
    status: str
    plan: list[dict[str, Any]]
    created_at: float
    updated_at: float
    scorecard: dict[str, Any] | None = None

    @property
    def question_texts(self) -> list[str]:
        return [p["text"] for p in self.plan]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user": self.user,
            "panel": self.panel,
            "level": self.level,
            "questions": self.questions,
            "follow_ups": self.follow_ups,
            "engine": self.engine,
            "status": self.status,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "questions_asked": self.question_texts,
            "score": (self.scorecard or {}).get("score"),
            "recommendation": (self.scorecard or {}).get("recommendation"),
        }


class SessionStore:
    """The sessions database of one data root; every method commits before returning."""

    def __init__(self, path: Path | None = None):
        self.path = path or get_settings().path(DB_NAME)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self.migrate()

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    @property
    def version(self) -> int:
        row = self._conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def migrate(self) -> int:
        """Apply the migrations this database has not seen yet, in order; returns the version."""
        with self._tx() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            current = db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0
            if current > len(MIGRATIONS):
                raise UserError(
                    f"{self.path} was written by a newer StaffSim (schema {current}); upgrade it."
                )
            for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
                for statement in (s.strip() for s in script.split(";")):
                    if statement:
                        db.execute(statement)
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
        return self.version

    # -- sessions ---------------------------------------------------------------------

    def create_session(
        self,
        *,
        user: str,
        panel: str,
        level: str,
        questions: int,
        follow_ups: int,
        engine: str,
        plan: list[dict[str, Any]],
    ) -> SessionRow:
        now = time.time()
        row = SessionRow(
            id=uuid.uuid4().hex[:10],
            user=user,
            panel=panel,
            level=level,
            questions=questions,
            follow_ups=follow_ups,
            engine=engine,
            status="active",
            plan=plan,
            created_at=now,
            updated_at=now,
        )
        with self._tx() as db:
            db.execute(
                "INSERT INTO sessions (id, user, panel, level, questions, follow_ups, engine,"
                " status, plan, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    row.id, user, panel, level, questions, follow_ups, engine, row.status,
                    json.dumps(plan), now, now,
                ),
            )  # fmt: skip
        return row

    def get_session(self, session_id: str, user: str) -> SessionRow:
        """The session `session_id` of `user`; anyone else's is reported as unknown."""
        found = self._conn.execute(
            "SELECT * FROM sessions WHERE id = ? AND user = ?", (session_id, user)
        ).fetchone()
        if found is None:
            raise UserError(
                f"You have no session {session_id!r}; `staffsim sessions list` shows yours."
            )
        return _session(found)

    def list_sessions(self, user: str) -> list[SessionRow]:
        rows = self._conn.execute(
            "SELECT * FROM sessions WHERE user = ? ORDER BY created_at DESC", (user,)
        ).fetchall()
        return [_session(r) for r in rows]

    def set_status(
        self, session_id: str, status: str, scorecard: dict[str, Any] | None = None
    ) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE sessions SET status = ?, scorecard = COALESCE(?, scorecard),"
                " updated_at = ? WHERE id = ?",
                (status, json.dumps(scorecard) if scorecard else None, time.time(), session_id),
            )

    # -- turns and grades -------------------------------------------------------------

    def add_turns(self, session_id: str, turns: list[Turn]) -> None:
        """Append turns (their `seq` set here) in one committed transaction."""
        now = time.time()
        with self._tx() as db:
            seq = db.execute(
                "SELECT COALESCE(MAX(seq), -1) FROM turns WHERE session_id = ?", (session_id,)
            ).fetchone()[0]
            for turn in turns:
                seq += 1
                turn.seq = seq
                db.execute(
                    "INSERT INTO turns (session_id, seq, role, kind, text, question_index,"
                    " signal, meta, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                    (
                        session_id, seq, turn.role, turn.kind, turn.text, turn.question_index,
                        turn.signal, json.dumps(turn.meta), now,
                    ),
                )  # fmt: skip
            db.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", (now, session_id))

    def update_turn_text(self, session_id: str, seq: int, text: str) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE turns SET text = ? WHERE session_id = ? AND seq = ?",
                (text, session_id, seq),
            )

    def turns(self, session_id: str) -> list[Turn]:
        rows = self._conn.execute(
            "SELECT * FROM turns WHERE session_id = ? ORDER BY seq", (session_id,)
        ).fetchall()
        return [
            Turn(
                seq=r["seq"],
                role=r["role"],
                kind=r["kind"],
                text=r["text"],
                question_index=r["question_index"],
                signal=r["signal"],
                meta=json.loads(r["meta"]),
            )
            for r in rows
        ]

    def add_grade(
        self, session_id: str, turn_seq: int, question_index: int, grade: dict[str, Any]
    ) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO grades (session_id, turn_seq, question_index, grade,"
                " created_at) VALUES (?,?,?,?,?)",
                (session_id, turn_seq, question_index, json.dumps(grade), time.time()),
            )

    def grades(self, session_id: str) -> list[tuple[int, int, dict[str, Any]]]:
        """(turn_seq, question_index, grade dict) in answer order."""
        rows = self._conn.execute(
            "SELECT turn_seq, question_index, grade FROM grades WHERE session_id = ?"
            " ORDER BY turn_seq",
            (session_id,),
        ).fetchall()
        return [(r[0], r[1], json.loads(r[2])) for r in rows]

    def add_question_grade(
        self, session_id: str, question_index: int, answers: list[int], grade: dict[str, Any]
    ) -> None:
        """The grade of one question's counted answers (turn seqs `answers`) read together."""
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO question_grades (session_id, question_index, answers,"
                " grade, created_at) VALUES (?,?,?,?,?)",
                (session_id, question_index, json.dumps(answers), json.dumps(grade), time.time()),
            )

    def question_grades(self, session_id: str) -> dict[int, tuple[list[int], dict[str, Any]]]:
        """question index -> (the answers' turn seqs, grade)."""
        rows = self._conn.execute(
            "SELECT question_index, answers, grade FROM question_grades WHERE session_id = ?",
            (session_id,),
        ).fetchall()
        return {r[0]: (json.loads(r[1]), json.loads(r[2])) for r in rows}


def _session(row: sqlite3.Row) -> SessionRow:
    return SessionRow(
        id=row["id"],
        user=row["user"],
        panel=row["panel"],
        level=row["level"],
        questions=row["questions"],
        follow_ups=row["follow_ups"],
        engine=row["engine"],
        status=row["status"],
        plan=json.loads(row["plan"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        scorecard=json.loads(row["scorecard"]) if row["scorecard"] else None,
    )
