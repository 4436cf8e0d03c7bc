# The verbs of the project: `make help` lists them. Every target that needs Python sets up .venv
# first; each step says what it is doing.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --progress-bar off --disable-pip-version-check -c constraints.txt
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)
# make run RAW=/some/raw OUT=/some/out: passed to dbt as vars through the environment, taken
# literally ($(value ...)), so a path holding quotes, spaces or $ is never make, shell or SQL text.
RAW ?= data/raw
OUT ?= output
export LOCO_RUN_RAW := $(value RAW)
export LOCO_RUN_OUT := $(value OUT)

.PHONY: help setup run test system-packages test-dbt test-python lint clean docs docs-build \
	setup-airflow test-airflow setup-spark test-spark bench bench-parquet test-s3

## help: list the verbs (also plain `make`)
help:
	@echo "Verbs (make <verb>):"
	@sed -n 's/^## \([a-z0-9-]*\): \(.*\)/\1|\2/p' $(MAKEFILE_LIST) | awk -F'|' '{printf "  %-16s %s\n", $$1, $$2}'

## setup: create .venv with the pinned packages (constraints.txt)
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@echo "== setup: creating .venv; installing dbt-core, dbt-duckdb, DuckDB, s3fs and the test tools (pinned by constraints.txt)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e '.[dev,s3]'
	touch $@

## run: build RAW (default data/raw, the bundled sample) into OUT (default output), then summarize
run: setup
	@echo "== dbt build: raw_path $$LOCO_RUN_RAW, output_path $$LOCO_RUN_OUT"
	$(BIN)/dbt build --vars "$$($(BIN)/python -c 'import json, os; print(json.dumps({"raw_path": os.environ["LOCO_RUN_RAW"], "output_path": os.environ["LOCO_RUN_OUT"]}))')"
	@echo
	@$(BIN)/loco-clips-summary "$$LOCO_RUN_OUT"

## test: every suite: dbt build, lint, pytest, S3, Airflow, Spark 3.5 and 4 (system packages first)
test: system-packages setup setup-airflow setup-spark setup-spark4
	@$(BIN)/python .ci/run_suites.py

## system-packages: check for Chromium, Java 17 and PostgreSQL; install what is missing (apt)
system-packages:
	@.ci/system-packages

## test-dbt: dbt build of the bundled sample (unit and data tests)
test-dbt: setup
	$(BIN)/dbt build

## test-python: pytest, the DuckDB suites (generator, end to end, hostile input, publish, docs site)
test-python: setup
	$(BIN)/pytest --ignore=tests/python/airflow --ignore=tests/python/spark --ignore=tests/python/s3

## test-s3: builds with raw_path/output_path on S3: a local S3 API server (moto) the tests start
test-s3: setup
	$(BIN)/pytest tests/python/s3

## lint: ruff on the Python, sqlfluff (dbt templater, DuckDB dialect) on the SQL
lint: setup
	$(BIN)/ruff check loco_clips tests/python dags benchmarks .ci
	$(BIN)/ruff format --check loco_clips tests/python dags benchmarks .ci
	$(BIN)/sqlfluff lint models tests analyses

## setup-airflow: add Airflow and psycopg to .venv (pinned: constraints.txt + constraints-airflow.txt)
setup-airflow: $(VENV)/.installed-airflow

$(VENV)/.installed-airflow: $(VENV)/.installed pyproject.toml constraints.txt constraints-airflow.txt
	@echo "== setup-airflow: installing Apache Airflow, its providers and psycopg (constraints-airflow.txt)"
	$(PIP) -c constraints-airflow.txt -e '.[dev,s3,airflow]'
	touch $@

## test-airflow: the DAG and the loader end to end, against a PostgreSQL server the tests start
test-airflow: setup-airflow
	$(BIN)/pytest tests/python/airflow

.PHONY: setup-spark setup-spark4 test-spark test-spark35 test-spark4
VENV_SPARK4 := .venv-spark4
# The pyspark version a constraints file pins: what the Spark suite asserts it ran on.
pinned_pyspark = $(shell sed -n 's/^pyspark==//p' $(1))

## setup-spark: add dbt-spark and pyspark 3.5 (EMR 7 / Glue 5) to .venv (pinned: constraints.txt + constraints-spark.txt)
setup-spark: $(VENV)/.installed-spark

$(VENV)/.installed-spark: $(VENV)/.installed pyproject.toml constraints.txt constraints-spark.txt
	@echo "== setup-spark: installing dbt-spark and pyspark 3.5 (constraints-spark.txt)"
	$(PIP) -c constraints-spark.txt -e '.[dev,s3,spark]'
	touch $@

## setup-spark4: the project with pyspark 4 in a virtualenv of its own, .venv-spark4 (constraints-spark4.txt)
setup-spark4: $(VENV_SPARK4)/.installed

$(VENV_SPARK4)/.installed: pyproject.toml constraints.txt constraints-spark4.txt
	@echo "== setup-spark4: creating .venv-spark4; installing the project, dbt-spark and pyspark 4 (constraints-spark4.txt)"
	test -x $(VENV_SPARK4)/bin/python || $(PYTHON) -m venv $(VENV_SPARK4)
	$(VENV_SPARK4)/bin/pip install --progress-bar off --disable-pip-version-check \
		-c constraints.txt -c constraints-spark4.txt -e '.[dev,s3,spark]'
	touch $@

## test-spark: the models on Spark (local session, Java 17), parity with DuckDB on dirty data,
## on Spark 3.5 (.venv) and then on Spark 4 (.venv-spark4), each in its own work folder
test-spark: test-spark35 test-spark4

test-spark35: setup-spark
	mkdir -p target
	LOCO_EXPECTED_SPARK_VERSION=$(call pinned_pyspark,constraints-spark.txt) \
		$(BIN)/pytest tests/python/spark --basetemp=$(CURDIR)/target/test-spark35

test-spark4: setup-spark4
	mkdir -p target
	LOCO_EXPECTED_SPARK_VERSION=$(call pinned_pyspark,constraints-spark4.txt) \
		$(VENV_SPARK4)/bin/pytest tests/python/spark --basetemp=$(CURDIR)/target/test-spark4

DOCS_PORT ?= 8080

## docs-build: build the sample and generate the dbt docs site into target/ (no server)
docs-build: setup
	@echo "== dbt build of the sample (the catalog needs the tables)"
	$(BIN)/dbt build
	@echo "== dbt docs generate"
	$(BIN)/dbt docs generate
	@echo "The docs site is in $(CURDIR)/target (index.html)"

## docs: docs-build, then serve the site on http://localhost:8080 (DOCS_PORT=N for another port)
docs: docs-build
	@echo "Serving the dbt docs at http://localhost:$(DOCS_PORT) (Ctrl+C stops)"
	$(BIN)/dbt docs serve --port $(DOCS_PORT) --no-browser

## bench: time the project against a hand-written DuckDB script, the JSON scan floor and PySpark,
## and the daily runs; rewrites docs/benchmarks.md
## (BENCH_ARGS="--sizes 1000000 10000000" runs a subset; data generated once into benchmarks/.data/)
bench: $(VENV)/.installed-bench setup-spark
	$(BIN)/python benchmarks/run_benchmarks.py $(BENCH_ARGS)

## bench-parquet: measure Parquet write settings on 10 M generated events; rewrites docs/parquet.md
bench-parquet: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/parquet_settings.py

$(VENV)/.installed-bench: $(VENV)/.installed pyproject.toml constraints.txt
	@echo "== setup: installing the benchmark's chart library (matplotlib)"
	$(PIP) -e '.[dev,bench]'
	touch $@

## clean: remove everything the builds and tests generate (the DuckDB state in state/ too); keeps .venv
clean:
	rm -rf target logs output .pytest_cache .ruff_cache spark-warehouse metastore_db derby.log .user.yml
	@if [ -d state ]; then rm -rf state && echo "Removed state/ (the Airflow DAG's DuckDB state: its next run is a full build)"; fi
	@echo "Kept .venv (rm -rf .venv to remove it) and benchmarks/.data (the generated benchmark data)"
