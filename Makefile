# Two commands on a fresh clone (Python 3.11+): `make serve` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The tests start over a hundred Python processes (the command line, gunicorn, probes, pytest's own):
# they keep their bytecode (in __pycache__, which git ignores) even where PYTHONDONTWRITEBYTECODE is set,
# as on our shared machine, or each compiles feedsvc, or rewrites the tests, again (0.1–2 s of CPU each).
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest

.PHONY: serve lint test test-long test-unit system-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

## serve: install what is needed and serve the sample store on http://127.0.0.1:8000/ as production
## does (gunicorn, the shipped settings); `.venv/bin/feedsvc serve articles --dev` for Werkzeug's server
serve: $(STAMP)
	$(BIN)/feedsvc serve articles --host 127.0.0.1 --port 8000

## lint: ruff (lint and format) and mypy --strict, zero findings allowed; `make test` runs it first
lint: $(STAMP)
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/mypy

## test: install what is needed (Python packages; nginx and Chromium from Debian), lint, and run every
## test but the long ones, on every core (pytest-xdist)
test: $(STAMP) system-deps lint
	$(PYTEST) -n auto

## test-long: the fuzz under Hypothesis's `long` profile (thousands of stores), the 30-second soak,
## 100,000 files in one folder, all eight browser views, the static build of all XSS payloads, every
## Accept-Encoding against every document of the warm path and the benchmarks' smoke run (not part of
## `make test`)
test-long: $(STAMP) system-deps
	$(PYTEST) -n auto -m "slow or fuzz" --hypothesis-profile=long

## test-unit: the table-driven tests of the pure parts alone, in seconds
test-unit: $(STAMP)
	$(PYTEST) tests/unit

## bench: every benchmark at full size, against the peers (installs them); see docs/PERFORMANCE.md
bench: $(STAMP)
	$(BIN)/python -m bench all

system-deps:
	@scripts/install-system-deps

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
