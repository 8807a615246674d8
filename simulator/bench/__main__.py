"""Run benchmarks: `python -m simulator.bench` (all) or `python -m simulator.bench NAME [ARGS]`."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import simulator.bench as package
from simulator.errors import UserError


def _names() -> list[str]:
    return sorted(
        m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")
    )


def main(argv: list[str]) -> int:
    names = _names()
    if argv and argv[0] in ("-h", "--help"):
        print(f"usage: python -m simulator.bench [{'|'.join(names)}] [ARGS]")
        return 0
    if argv and argv[0] not in names:
        print(f"Unknown benchmark {argv[0]!r}; choose one of: {', '.join(names)}.", file=sys.stderr)
        return 2
    chosen = [(argv[0], argv[1:])] if argv else [(n, []) for n in names]
    code = 0
    for name, args in chosen:
        module = importlib.import_module(f"simulator.bench.{name}")
        try:
            code = max(code, module.main(args) or 0)
        except UserError as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            code = 2
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
