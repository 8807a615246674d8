"""Versioned prompt registry: `prompts/<id>/v<N>.yaml`, sandboxed Jinja2, a lock file.

Each version is immutable once it is in `prompts/registry.lock`: the lock records
the sha256 of the version's canonical content (its parsed YAML minus `labels`,
which move between versions). `python -m simulator.llm.prompts --lock` (or
`staffsim prompts lock`) adds new versions and never rewrites existing entries.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from jinja2 import StrictUndefined, TemplateError, meta
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulator.config import PROMPTS_DIR, get_settings
from simulator.errors import UserError, first_error

LABELS = ("production", "candidate")
LOCK_NAME = "registry.lock"
_FILE = re.compile(r"^v(\d+)\.yaml$")


class PromptError(UserError):
    """A prompt file is malformed, or a prompt was asked for in a way that cannot work."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PromptParams(_Strict):
    """Model parameters a prompt version runs with."""

    temperature: float = Field(default=0.0, ge=0, le=2)
    max_tokens: int = Field(default=1024, gt=0)
    top_p: float | None = Field(default=None, gt=0, le=1)
    seed: int | None = None


class PromptMessage(_Strict):
    """One message template."""

    role: Literal["system", "user", "assistant"]
    content: str


class PromptRecord(_Strict):
    """One prompt version exactly as its YAML file declares it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: int = Field(ge=1)
    description: str
    params: PromptParams = PromptParams()
    inputs: list[str]
    output_schema: str | None = None
    changelog: str
    labels: list[Literal["production", "candidate"]] = []
    messages: list[PromptMessage] = Field(min_length=1)


def canonical_json(obj: Any) -> str:
    """Sorted-key, compact, UTF-8 JSON: the form every hash in StaffSim is taken over."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_sha256(raw: dict[str, Any]) -> str:
    """The sha256 of a version's canonical content (its parsed YAML minus `labels`)."""
    body = {k: v for k, v in raw.items() if k != "labels"}
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


_ENV = SandboxedEnvironment(
    undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, autoescape=False
)


@dataclass(frozen=True)
class Prompt:
    """A loaded, validated prompt version; `render(**vars)` gives chat messages."""

    record: PromptRecord
    sha256: str
    path: Path

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def version(self) -> int:
        return self.record.version

    @property
    def ref(self) -> str:
        """`id@version@sha256`, the stamp every result carries."""
        return f"{self.id}@{self.version}@{self.sha256}"

    @property
    def labels(self) -> list[str]:
        return list(self.record.labels)

    def render(self, **variables: Any) -> list[dict[str, str]]:
        """Render every message; a missing or undeclared variable raises `PromptError`."""
        declared = set(self.record.inputs)
        extra = sorted(set(variables) - declared)
        missing = sorted(declared - set(variables))
        if extra or missing:
            parts = []
            if missing:
                parts.append(f"missing {', '.join(missing)}")
            if extra:
                parts.append(f"undeclared {', '.join(extra)}")
            raise PromptError(
                f"Prompt {self.id}@v{self.version} got {'; '.join(parts)} "
                f"(declared inputs: {', '.join(self.record.inputs) or 'none'})."
            )
        out = []
        for message in self.record.messages:
            try:
                text = _ENV.from_string(message.content).render(**variables)
            except TemplateError as exc:
                raise PromptError(
                    f"Prompt {self.id}@v{self.version} failed to render: {exc}"
                ) from exc
            out.append({"role": message.role, "content": text.strip()})
        return out


def _load_file(path: Path) -> tuple[PromptRecord, dict[str, Any]]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PromptError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise PromptError(f"{path} must hold a mapping.")
    try:
        record = PromptRecord.model_validate(raw)
    except ValidationError as exc:
        raise PromptError(first_error(path, exc) + ".") from exc
    match = _FILE.match(path.name)
    if path.parent.name != record.id or not match or int(match.group(1)) != record.version:
        raise PromptError(
            f"{path} declares {record.id}@v{record.version}; "
            f"it must live at prompts/{record.id}/v{record.version}.yaml."
        )
    used: set[str] = set()
    for message in record.messages:
        try:
            used |= meta.find_undeclared_variables(_ENV.parse(message.content))
        except TemplateError as exc:
            raise PromptError(f"{path}: a {message.role} template does not parse: {exc}") from exc
    undeclared = sorted(used - set(record.inputs))
    unused = sorted(set(record.inputs) - used)
    if undeclared:
        raise PromptError(f"{path} uses undeclared variables: {', '.join(undeclared)}.")
    if unused:
        raise PromptError(f"{path} declares inputs it never uses: {', '.join(unused)}.")
    return record, raw


class PromptRegistry:
    """Every prompt version under a directory, validated at load."""

    def __init__(self, root: Path = PROMPTS_DIR):
        self.root = Path(root)
        self._prompts: dict[str, dict[int, Prompt]] = {}
        for path in sorted(self.root.glob("*/v*.yaml")):
            record, raw = _load_file(path)
            self._prompts.setdefault(record.id, {})[record.version] = Prompt(
                record, content_sha256(raw), path
            )
        for pid, versions in self._prompts.items():
            for label in LABELS:
                holders = [v for v, p in versions.items() if label in p.record.labels]
                if len(holders) > 1:
                    raise PromptError(
                        f"Prompt {pid} gives the {label!r} label to versions {holders}; "
                        "one version at most may hold a label."
                    )

    def ids(self) -> list[str]:
        """Every prompt id, sorted."""
        return sorted(self._prompts)

    def versions(self, prompt_id: str) -> list[Prompt]:
        """Every version of one prompt, oldest first."""
        if prompt_id not in self._prompts:
            known = ", ".join(self.ids()) or "none"
            raise PromptError(f"No prompt named {prompt_id!r} (known: {known}).")
        return [self._prompts[prompt_id][v] for v in sorted(self._prompts[prompt_id])]

    def all(self) -> list[Prompt]:
        """Every version of every prompt."""
        return [p for pid in self.ids() for p in self.versions(pid)]

    def get(self, ref: str, label: str | None = None) -> Prompt:
        """A prompt by `id`, `id@N` or `id@vN`; without a version the label picks it.

        Label order: the `label` argument, else `STAFFSIM_PROMPT_LABEL`, else
        `production`; a prompt with no version holding the label runs its
        production version, and one with no production label runs its latest.
        """
        pid, _, version = ref.partition("@")
        versions = self.versions(pid)
        if version:
            wanted = version.split("@")[0].lstrip("v")
            for prompt in versions:
                if str(prompt.version) == wanted:
                    return prompt
            have = ", ".join(f"v{p.version}" for p in versions)
            raise PromptError(f"Prompt {pid} has no version {version!r} (have {have}).")
        chosen = label or get_settings().prompt_label or "production"
        if chosen not in LABELS:
            raise PromptError(f"Unknown prompt label {chosen!r}; use one of {', '.join(LABELS)}.")
        for wanted_label in (chosen, "production"):
            for prompt in versions:
                if wanted_label in prompt.record.labels:
                    return prompt
        return versions[-1]


@lru_cache(maxsize=4)
def get_registry(root: Path = PROMPTS_DIR) -> PromptRegistry:
    """The registry for `prompts/` (cached; `get_registry.cache_clear()` reloads)."""
    return PromptRegistry(root)


# --- the lock ---------------------------------------------------------------------------


def changed_message(prompt_id: str, version: int) -> str:
    """The one sentence shown when a released version was edited."""
    return (
        f"prompt {prompt_id}@v{version} changed after release: add "
        f"prompts/{prompt_id}/v{version + 1}.yaml instead of editing a released version"
    )


def read_lock(root: Path = PROMPTS_DIR) -> dict[str, str]:
    """The lock file as {`id@vN`: sha256}; empty when there is none yet."""
    path = Path(root) / LOCK_NAME
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return dict(data.get("versions", {}))


def check_lock(registry: PromptRegistry) -> list[str]:
    """Problems with the lock: edited or deleted released versions, unlocked versions."""
    locked = read_lock(registry.root)
    on_disk = {f"{p.id}@v{p.version}": p for p in registry.all()}
    problems = []
    for key, sha in sorted(locked.items()):
        prompt = on_disk.get(key)
        pid, version = key.split("@v")
        if prompt is None:
            problems.append(f"prompt {key} is locked but its file is gone: restore it")
        elif prompt.sha256 != sha:
            problems.append(changed_message(pid, int(version)))
    for key in sorted(set(on_disk) - set(locked)):
        problems.append(f"prompt {key} is not in prompts/{LOCK_NAME}: run `staffsim prompts lock`")
    return problems


def lock(registry: PromptRegistry) -> list[str]:
    """Add unlocked versions to the lock; existing entries are never rewritten."""
    locked = read_lock(registry.root)
    for key, sha in locked.items():
        pid, version = key.split("@v")
        current = {f"{p.id}@v{p.version}": p.sha256 for p in registry.all()}.get(key)
        if current is not None and current != sha:
            raise PromptError(changed_message(pid, int(version)) + ".")
    added = []
    for prompt in registry.all():
        key = f"{prompt.id}@v{prompt.version}"
        if key not in locked:
            locked[key] = prompt.sha256
            added.append(key)
    path = registry.root / LOCK_NAME
    body = {
        "comment": "sha256 of each released prompt version's canonical content; never edit.",
        "versions": dict(sorted(locked.items())),
    }
    path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    return added


def main(argv: list[str] | None = None) -> int:
    """`python -m simulator.llm.prompts --lock`: lock new versions; else check the lock."""
    args = sys.argv[1:] if argv is None else argv
    registry = PromptRegistry(PROMPTS_DIR)
    if "--lock" in args:
        added = lock(registry)
        print("locked: " + (", ".join(added) if added else "nothing new"))
        return 0
    problems = check_lock(registry)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
