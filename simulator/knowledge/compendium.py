"""The compendium markdown -> validated `Compendium` (20 artifact kinds, cadence, KPIs).

The user edits `corpus/compendium.md`; when a section is not shaped as expected the
parser raises `CompendiumError` naming the line, so the fix is one look away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from simulator.config import CORPUS_DIR
from simulator.errors import UserError
from simulator.knowledge.rubrics import KIND_IDS

COMPENDIUM_PATH = CORPUS_DIR / "compendium.md"

_SECTION = re.compile(r"^## (\d+)\.\s+(.+?)\s*$")
_OTHER_H2 = re.compile(r"^## (?!\d+\.)(.+?)\s*$")
_LABEL = re.compile(r"^\*\*(?P<label>[^*]+)\*\*(?P<rest>.*)$")
_ITEM = re.compile(r"^(?:[-*]|\d+\.)\s+(.*)$")
_TARGET = re.compile(
    r"(?P<op>≥|>=|≤|<=|<|>)\s*\$?(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>%|ms|s|m|h|k|x)?"
    r"|(?P<lo>\d+(?:\.\d+)?)\s*[–-]\s*(?P<hi>\d+(?:\.\d+)?)\s*(?P<runit>%)"
    r"|(?P<plus>\d+)\+"
)


class CompendiumError(UserError):
    """The compendium is not shaped as expected; the message names the line."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TemplateField(_Model):
    name: str
    detail: str = ""


class Exemplar(_Model):
    title: str
    lines: list[str]


class Metric(_Model):
    """A success indicator; `op`/`value`/`unit` hold its numeric target when the text gives one."""

    text: str
    name: str
    op: str | None = None
    value: float | None = None
    high: float | None = None
    unit: str | None = None


class Resource(_Model):
    url: str
    note: str = ""


class ArtifactKind(_Model):
    """One numbered compendium section."""

    id: str
    number: int = Field(ge=1, le=20)
    title: str
    purpose: str
    when_to_use: str
    template: list[TemplateField] = Field(min_length=1)
    lists: dict[str, list[str]] = Field(default_factory=dict)
    exemplars: list[Exemplar]
    pitfalls: list[str] = Field(min_length=1)
    metrics: list[Metric] = Field(min_length=1)
    expansion: list[str]
    resources: list[Resource]
    line: int

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}"


class Phase(_Model):
    name: str
    items: list[str]


class KPI(_Model):
    text: str
    target: float
    op: str
    per_month: bool = False


class Compendium(_Model):
    title: str
    kinds: dict[str, ArtifactKind]
    cadence: list[Phase]
    weekly_rhythm: dict[str, str]
    kpis: list[KPI]
    usage: list[str]

    def kind(self, kind_id: str) -> ArtifactKind:
        if kind_id not in self.kinds:
            raise UserError(
                f"Unknown artifact kind {kind_id!r}; choose one of: {', '.join(self.kinds)}."
            )
        return self.kinds[kind_id]


@dataclass
class _Block:
    label: str
    inline: str
    line: int
    items: list[str] = field(default_factory=list)


def parse_metric(text: str) -> Metric:
    """A metric line with its numeric target, e.g. `Forecast error <15% monthly`."""
    name = re.split(r"[:(]|\s[<>≥≤]", text, maxsplit=1)[0].strip(" .") or text
    m = _TARGET.search(text)
    if not m:
        return Metric(text=text, name=name)
    if m.group("op"):
        op = {"≥": ">=", "≤": "<="}.get(m.group("op"), m.group("op"))
        return Metric(
            text=text, name=name, op=op, value=float(m.group("value")), unit=m.group("unit")
        )
    if m.group("lo"):
        return Metric(
            text=text,
            name=name,
            op="between",
            value=float(m.group("lo")),
            high=float(m.group("hi")),
            unit=m.group("runit"),
        )
    return Metric(text=text, name=name, op=">=", value=float(m.group("plus")))


def _split_items(text: str) -> list[str]:
    text = text.strip().rstrip(".")
    if not text:
        return []
    parts = text.split(";") if ";" in text else re.split(r"(?<=[a-z)])\.\s+(?=[A-Z])", text)
    return [p.strip(" .") for p in parts if p.strip(" .")]


def _field(item: str) -> TemplateField:
    m = re.search(r"[(:]", item)
    if not m:
        return TemplateField(name=item.strip())
    detail = item[m.start() :].strip(" :")
    if detail.startswith("(") and detail.endswith(")") and detail.count("(") == 1:
        detail = detail[1:-1]
    return TemplateField(name=item[: m.start()].strip(), detail=detail.strip())


def _resource(item: str) -> Resource:
    url, _, note = item.partition(" ")
    return Resource(url=url, note=note.strip().strip("()"))


def _blocks(lines: list[tuple[int, str]]) -> list[_Block]:
    blocks: list[_Block] = []
    for number, raw in lines:
        line = raw.strip()
        if not line or line == "---":
            continue
        label = _LABEL.match(line)
        item = _ITEM.match(line)
        if label:
            rest = label.group("rest")
            if not rest.lstrip().startswith((":", "(")):
                raise CompendiumError(
                    f"compendium.md line {number}: expected '**{label.group('label')}**:' "
                    "with a colon after the bold label."
                )
            inline = rest.split(":", 1)[1].strip() if ":" in rest else ""
            title = label.group("label").strip() + rest.split(":", 1)[0].rstrip()
            blocks.append(_Block(title.strip(), inline, number))
        elif item:
            if not blocks:
                raise CompendiumError(
                    f"compendium.md line {number}: a list item before any '**Label**:' line."
                )
            blocks[-1].items.append(item.group(1).strip())
        elif blocks:
            blocks[-1].items.append(line)
        else:
            raise CompendiumError(f"compendium.md line {number}: unexpected text {line[:40]!r}.")
    return blocks


def _kind(number: int, title: str, line: int, body: list[tuple[int, str]]) -> ArtifactKind:
    found: dict[str, object] = {"exemplars": [], "lists": {}, "expansion": [], "resources": []}
    template: list[str] | None = None
    for block in _blocks(body):
        low = block.label.lower()
        items = block.items or ([block.inline] if block.inline else [])
        if low.startswith("purpose"):
            found["purpose"] = block.inline
        elif low.startswith("when to use"):
            found["when_to_use"] = block.inline
        elif "exemplar" in low:
            lines = block.items or [block.inline]
            found["exemplars"].append(Exemplar(title=block.label, lines=lines))  # type: ignore[union-attr]
        elif "pitfall" in low:
            found["pitfalls"] = [p for i in items for p in _split_items(i)]
        elif low.startswith("metrics"):
            found["metrics"] = [parse_metric(p) for i in items for p in _split_items(i)]
        elif low.startswith("expansion"):
            found["expansion"] = [p for i in items for p in _split_items(i)]
        elif "resources" in low:
            found["resources"] = [_resource(i) for i in block.items]
        elif "template" in low:
            template = block.items
        elif block.items:
            found["lists"][block.label] = block.items  # type: ignore[index]
        else:
            raise CompendiumError(
                f"compendium.md line {block.line}: unknown label '**{block.label}**' "
                f"in section {number}."
            )
    if template is None and found["lists"]:
        # Sections without a template block (distributed primer, design review, matrix)
        # use their first list as the template.
        first = next(iter(found["lists"]))  # type: ignore[call-overload]
        template = found["lists"].pop(first)  # type: ignore[union-attr]
    for required, label in (("purpose", "**Purpose**"), ("when_to_use", "**When to Use**")):
        if not found.get(required):
            raise CompendiumError(
                f"compendium.md line {line}: section {number} has no {label} line."
            )
    if not template:
        raise CompendiumError(f"compendium.md line {line}: section {number} has no template list.")
    for required, label in (("pitfalls", "**Pitfalls**"), ("metrics", "**Metrics**")):
        if not found.get(required):
            raise CompendiumError(
                f"compendium.md line {line}: section {number} has no {label} entries."
            )
    return ArtifactKind(
        id=KIND_IDS[number - 1],
        number=number,
        title=title,
        template=[_field(t) for t in template],
        line=line,
        **found,  # type: ignore[arg-type]
    )


def _tail(sections: dict[str, list[tuple[int, str]]]) -> dict[str, object]:
    cadence, rhythm, kpis, usage = [], {}, [], []
    for number, raw in sections.get("Integrated 4-Month Cadence", []):
        line = raw.strip()
        month = re.match(r"^\*\*(Month \d+[^*]*)\*\*:\s*(.+)$", line)
        day = re.match(r"^-\s*(Mon|Tue|Wed|Thu|Fri|Sat|Sun):\s*(.+)$", line)
        if month:
            cadence.append(
                Phase(name=month.group(1), items=_split_items(month.group(2).replace(",", ";")))
            )
        elif day:
            rhythm[day.group(1)] = day.group(2).strip()
        elif line.startswith("- ") and kpis == [] and re.search(r"\d", line):
            for text in _split_items(line[2:]):
                m = re.search(r"(≥|>=)?\s*(\d+)(\+)?", text)
                if not m:
                    raise CompendiumError(
                        f"compendium.md line {number}: KPI {text!r} has no number."
                    )
                kpis.append(
                    KPI(text=text, target=float(m.group(2)), op=">=", per_month="/month" in text)
                )
    for _, raw in sections.get("Usage Guide", []):
        m = re.match(r"^\d+\.\s+(.+)$", raw.strip())
        if m:
            usage.append(m.group(1))
    if not cadence or not kpis:
        raise CompendiumError(
            "compendium.md: the '## Integrated 4-Month Cadence' section needs **Month N** lines "
            "and a KPI list."
        )
    return {"cadence": cadence, "weekly_rhythm": rhythm, "kpis": kpis, "usage": usage}


def parse_compendium(text: str) -> Compendium:
    """Parse compendium markdown; raise `CompendiumError` naming the line on a bad shape."""
    lines = text.splitlines()
    title = lines[0].lstrip("# ").strip() if lines and lines[0].startswith("# ") else ""
    if not title:
        raise CompendiumError("compendium.md line 1: expected a '# Title' line.")
    numbered: list[tuple[int, str, int, list[tuple[int, str]]]] = []
    others: dict[str, list[tuple[int, str]]] = {}
    current: list[tuple[int, str]] | None = None
    for number, line in enumerate(lines[1:], start=2):
        section = _SECTION.match(line)
        other = _OTHER_H2.match(line)
        if section:
            n = int(section.group(1))
            if n != len(numbered) + 1:
                raise CompendiumError(
                    f"compendium.md line {number}: section {n} found where section "
                    f"{len(numbered) + 1} was expected."
                )
            current = []
            numbered.append((n, section.group(2), number, current))
        elif other:
            current = others.setdefault(other.group(1), [])
        elif current is not None:
            current.append((number, line))
    if len(numbered) != len(KIND_IDS):
        raise CompendiumError(
            f"compendium.md: found {len(numbered)} numbered sections, expected {len(KIND_IDS)}."
        )
    kinds = {KIND_IDS[n - 1]: _kind(n, t, ln, body) for n, t, ln, body in numbered}
    return Compendium(title=title, kinds=kinds, **_tail(others))  # type: ignore[arg-type]


def load_compendium(path: Path | None = None) -> Compendium:
    """The compendium at `path` (default `corpus/compendium.md`), parsed and validated."""
    path = path or COMPENDIUM_PATH
    return _load_cached(path.resolve(), path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _load_cached(path: Path, _mtime: int) -> Compendium:
    return parse_compendium(path.read_text(encoding="utf-8"))
