# Two commands do all the set-up: `make run` and `make test`.
# The virtual environment is rebuilt only when pyproject.toml, setup.py or this file change.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.deescal-stamp
TORCH_SPEC ?= torch==2.13.0
LLAMA_WHEEL := packaging/build_llama_wheel.sh

.PHONY: run test bench lint package venv clean house-adapter

venv: $(STAMP)

$(STAMP): pyproject.toml setup.py Makefile $(LLAMA_WHEEL)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet --no-deps "$$(bash $(LLAMA_WHEEL) $(BIN)/python)"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/deescal

# The import contracts (pyproject.toml, [tool.importlinter]) first: a broken boundary fails at once.
test: $(STAMP)
	$(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

bench: $(STAMP)
	mkdir -p bench-results
	@set -e; for b in tests/bench/bench_*.py; do echo "== $$b"; QT_QPA_PLATFORM=offscreen $(BIN)/python $$b; done

# Rebuilds models/house/house-adapter.gguf (and its card) from the house corpus, the bundled reference
# exchanges and the real transcripts; seeded. Work files stay in $(HOUSE_JOB), so a stopped run resumes.
HOUSE_JOB ?= .house-build
HOUSE_TRANSCRIPTS ?= ../shared/data/deescalwild/transcripts
HOUSE_ARGS ?=
house-adapter: $(STAMP)
	$(BIN)/python -m deescal.finetune.house $(HOUSE_JOB) --transcripts $(HOUSE_TRANSCRIPTS) $(HOUSE_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

package: $(STAMP)
	bash packaging/build_linux.sh

clean:
	rm -rf $(VENV) build dist *.egg-info bench-results
