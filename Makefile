# The study's steps. `make help` lists them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
REPORT_DIR ?= build/report

.DEFAULT_GOAL := help
.PHONY: help setup report test bench clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup: $(STAMP) ## create .venv and install the pinned requirements (quick when nothing changed)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' || { echo "error: Python 3.11 or newer is needed (found $$($(PYTHON) --version))"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

report: setup ## build the seed study: execute the notebooks, render build/report/index.html
	$(PY) -m analysis report --out $(REPORT_DIR) --publish-figures figures

test: setup ## run every test (unit tests, notebooks, the report)
	$(PY) -m pytest

clean: ## remove build outputs (keeps .venv)
	rm -rf build .pytest_cache

bench: setup ## run the benchmarks (speed and memory on a multi-million-word corpus; not tests)
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done
