# The two commands of the README: `make run` and `make test`. Both set everything up first.
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup run test lint browser-deps bench

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	# CPU torch first: otherwise a dependency pulls a multi-GB CUDA build.
	$(PY) -m pip install -q "torch==2.13.0"
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(PY) app.py

browser-deps:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: setup browser-deps lint
	$(VENV)/bin/pytest
	$(VENV)/bin/staffsim eval run --no-progress --report out/eval
	$(VENV)/bin/staffsim eval run --no-progress --report out/eval-replay --mode replay \
	  --engine openai:staffsim-offline-grader-1 \
	  --suite star --suite design --suite adr --suite postmortem --suite injection

bench: setup
	$(PY) -m simulator.bench
