# The platform's front door. Every target bootstraps its own environment: a machine needs only
# Python 3.11 and access to the package registries.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON      ?= python3
UV_VERSION  := 0.13.8
UV          := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
VENV        := $(CURDIR)/.venv
PY          := $(VENV)/bin/python
DATA_DIR    ?= $(CURDIR)/data

export WAREHOUSE_PATH ?= $(DATA_DIR)/warehouse.duckdb
export SNAPSHOT_DIR   ?= $(DATA_DIR)/snapshots
export LANDING_DIR    ?= $(DATA_DIR)/landing
export DATABASE_URL   ?= sqlite:///$(DATA_DIR)/backend.sqlite
export PYTHONPATH     := $(CURDIR)$(if $(PYTHONPATH),:$(PYTHONPATH))

PATIENTS ?= 40
DAYS     ?= 180
SEED     ?= 7

.PHONY: help setup demo test pipeline bench lint docs browser clean

help: ## list the targets
	@grep -hE '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(CURDIR)/.tools/bin/uv:
	@echo "==> bootstrapping uv $(UV_VERSION) into .tools/"
	@$(PYTHON) -m venv $(CURDIR)/.tools && $(CURDIR)/.tools/bin/pip install -q "uv==$(UV_VERSION)"

# --compile-bytecode: uv, unlike pip, leaves the packages' bytecode to be written on first import,
# and where PYTHONDONTWRITEBYTECODE is set (as on CI here) every process then compiles what it
# imports from source: dbt's start and parse took 10.2 s instead of 6.6, in every dbt run and test.
$(VENV)/.synced: pyproject.toml uv.lock Makefile | $(UV)
	@echo "==> installing the locked environment into .venv (uv sync --frozen --compile-bytecode)"
	@$(UV) sync --frozen --python 3.11 --quiet --compile-bytecode
	@touch $@

setup: $(VENV)/.synced ## install the locked environment (.venv)

browser: ## install Debian's chromium for the browser tests when it is missing
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "==> installing chromium (apt) for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: /usr/bin/chromium is missing; browser tests will be skipped (apt-get install chromium)"; fi; }

test: setup browser ## set up and run the whole test suite
	@$(PY) -m pytest $(PYTEST_ARGS)

pipeline: setup ## generate the synthetic cohort (if absent) and run the pipeline once
	@test -d $(LANDING_DIR)/fhir || $(PY) -m ingestion synth --patients $(PATIENTS) --days $(DAYS) --seed $(SEED) --out $(LANDING_DIR)
	@$(PY) -m ingestion.pipeline run --landing $(LANDING_DIR) --warehouse $(WAREHOUSE_PATH) --snapshots $(SNAPSHOT_DIR)

demo: setup ## set up, run the pipeline on a synthetic cohort, serve dashboards, backend and Airflow
	@$(PY) -m infra.demo --data-dir $(DATA_DIR) --patients $(PATIENTS) --days $(DAYS) --seed $(SEED)

bench: setup ## run the benchmarks and write reports/bench.json
	@$(PY) tests/benchmarks/run_all.py --out reports/bench.json $(BENCH_ARGS)

lint: setup ## ruff on the Python code, SQLFluff on the dbt models
	@$(VENV)/bin/ruff check .
	@# The dbt templater opens the warehouse: give it a throwaway one, so lint needs no pipeline run.
	@cd dbt_project && WAREHOUSE_PATH=$$(mktemp -d)/lint.duckdb $(VENV)/bin/sqlfluff lint models

docs: setup ## build the dbt docs into dbt_project/target
	@cd dbt_project && $(VENV)/bin/dbt docs generate --profiles-dir . --project-dir .

clean: ## remove generated data, reports and the environment
	rm -rf $(DATA_DIR) reports .venv .tools dbt_project/target dbt_project/logs
