"""What a user practised outside interviews: every critique and graded answer, one JSON line
each in `$STAFFSIM_HOME/activity/<user>.jsonl`, so Progress can count them and draw trends.

Only a digest of the text is kept (the same text critiqued twice is one document), with the
scores and whether a STAR story's result is quantified.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

log = logging.getLogger("staffsim.activity")
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Critique:
    """One critique (`target` critique: an artifact kind) or graded answer (grade: a panel)."""

    at: str  # local time, ISO 8601 to the second
    target: str
    kind: str
    name: str
    digest: str
    score: int
    level: str
    #: (signal id, signal name, score 0-4), in the rubric's order.
    signals: list[tuple[str, str, int]] = field(default_factory=list)
    quantified: bool | None = None  # STAR stories only: the result has a number

    @property
    def day(self):
        return datetime.fromisoformat(self.at).date()


def digest(text: str) -> str:
    """The same text, however re-wrapped, has the same digest."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]


def is_quantified(story: str) -> bool:
    """True when the story's result (or, lacking a Result part, the story) has a number."""
    from simulator.grading.detectors.quantification import detect
    from simulator.grading.text import Doc

    m = re.search(r"^\W*(?:result|r)\W*:", story, re.IGNORECASE | re.MULTILINE)
    part = story[m.start() :] if m else story
    part = re.split(r"^\W*(?:reflection|competenc\w*)\W*:", part, flags=re.I | re.M)[0]
    return detect(Doc(part)).count > 0


def _log_file(user: str) -> Path:
    from simulator.config import get_settings
    from simulator.library import user_dir

    return get_settings().path("activity", f"{user_dir(user).name}.jsonl")


def record(user: str, grade, text: str, *, name: str = "", when: datetime | None = None):
    """Append one critique or graded answer of `user` -> `Critique`."""
    entry = Critique(
        at=(when or datetime.now()).isoformat(timespec="seconds"),
        target=grade.target,
        kind=grade.kind,
        name=name,
        digest=digest(text),
        score=int(grade.score),
        level=grade.level,
        signals=[(s.id, s.name, int(s.score)) for s in grade.signals],
        quantified=is_quantified(text) if grade.kind == "star" else None,
    )
    line = json.dumps(asdict(entry), ensure_ascii=False)
    with _LOCK, _log_file(user).open("a", encoding="utf-8") as out:
        out.write(line + "\n")
    return entry


def critiques(user: str) -> list[Critique]:
    """`user`'s critiques and graded answers, oldest first (unreadable lines are skipped)."""
    path = _log_file(user)
    if not path.is_file():
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines()):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            data["signals"] = [tuple(s) for s in data.get("signals", [])]
            datetime.fromisoformat(data["at"])
            out.append(Critique(**data))
        except (
            ValueError,
            TypeError,
            KeyError,
        ) as exc:  # a torn or hand-edited line costs one entry
            log.warning("skipping line %d of %s: %s", n + 1, path, exc)
    return sorted(out, key=lambda c: c.at)
