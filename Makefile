# Tollgate: `make up` runs everything, `make test` runs the whole test suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: up test lint bench chaos chaos-cluster install browser pdf-libs clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# Debian's pango for WeasyPrint (the committee pack's PDF), installed only when missing
pdf-libs:
	@bash infra/install-pdf-libs.sh

install: pdf-libs $(STAMP)

up: install
	$(BIN)/tollgate up

browser:
	bash infra/install-browser.sh

tests/asyncapi/node_modules: tests/asyncapi/package-lock.json
	cd tests/asyncapi && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: install browser tests/asyncapi/node_modules
	$(BIN)/pytest -q --ignore=tests/perf

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# every figure of issue 13 beside its same-run baseline: bench-results.json and a table
# (BENCHMARKS.md); the eventsourcing baseline and wrk are the bench's own, not the product's
$(VENV)/.bench-installed: $(STAMP)
	$(BIN)/pip install -q -e '.[dev,bench]'
	touch $@

bench: install $(VENV)/.bench-installed
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m tests.perf.bench
	$(BIN)/pytest -q -s tests/perf/test_board_perf.py  # the board and pages at 1,000 initiatives

# the long chaos run (the suite runs a 25 s one); TOLLGATE_CHAOS_SECONDS=N to change it
chaos: install
	TOLLGATE_CHAOS_SECONDS=$${TOLLGATE_CHAOS_SECONDS:-240} $(BIN)/pytest -q -s tests/integration/test_chaos.py

# the long 3-node cluster run (the suite runs 24 s): a round of NATS node kills every 40 s
chaos-cluster: install
	TOLLGATE_CLUSTER_SECONDS=$${TOLLGATE_CLUSTER_SECONDS:-120} $(BIN)/pytest -q -s tests/integration/test_cluster.py

clean:
	rm -rf $(VENV) .tollgate
