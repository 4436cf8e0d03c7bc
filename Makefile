# The verbs of the project. Every target that needs Python sets up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)

.PHONY: setup run test test-dbt test-python lint clean setup-airflow test-airflow

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

## run: build the bundled sample and write the Parquet files to output/
run: setup
	$(BIN)/dbt build --quiet
	@echo "Parquet files:"
	@ls -1 $(CURDIR)/output/*.parquet

## test: every check: dbt build on the sample (unit + data tests), lint, pytest
test: setup test-dbt lint test-python test-airflow test-spark

test-dbt: setup
	$(BIN)/dbt build

test-python: setup
	$(BIN)/pytest --ignore=tests/python/airflow --ignore=tests/python/spark

## lint: ruff on the Python, sqlfluff (dbt templater, DuckDB dialect) on the SQL
lint: setup
	$(BIN)/ruff check loco_clips tests/python $(wildcard dags benchmarks)
	$(BIN)/ruff format --check loco_clips tests/python $(wildcard dags benchmarks)
	$(BIN)/sqlfluff lint models tests $(wildcard analyses)

## setup-airflow: add Airflow and psycopg to .venv (pinned: constraints.txt + constraints-airflow.txt)
setup-airflow: $(VENV)/.installed-airflow

$(VENV)/.installed-airflow: $(VENV)/.installed pyproject.toml constraints.txt constraints-airflow.txt
	$(BIN)/pip install --quiet -c constraints.txt -c constraints-airflow.txt -e '.[dev,airflow]'
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
	$(BIN)/pip install --quiet -c constraints.txt -c constraints-spark.txt -e '.[dev,spark]'
	touch $@

## setup-spark4: the project with pyspark 4 in a virtualenv of its own, .venv-spark4 (constraints-spark4.txt)
setup-spark4: $(VENV_SPARK4)/.installed

$(VENV_SPARK4)/.installed: pyproject.toml constraints.txt constraints-spark4.txt
	test -x $(VENV_SPARK4)/bin/python || $(PYTHON) -m venv $(VENV_SPARK4)
	$(VENV_SPARK4)/bin/pip install --quiet -c constraints.txt -c constraints-spark4.txt -e '.[dev,spark]'
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

.PHONY: docs bench-parquet
DOCS_PORT ?= 8080

## docs: build the sample, generate the dbt docs site and serve it on http://localhost:$(DOCS_PORT)
docs: setup
	$(BIN)/dbt build --quiet
	$(BIN)/dbt docs generate --quiet
	@echo "Serving the dbt docs at http://localhost:$(DOCS_PORT) (Ctrl+C stops)"
	$(BIN)/dbt docs serve --port $(DOCS_PORT) --no-browser

## bench-parquet: measure Parquet write settings on 10 M generated events; rewrites docs/parquet.md
bench-parquet: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/parquet_settings.py

$(VENV)/.installed-bench: $(VENV)/.installed pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,bench]'
	touch $@

clean:
	rm -rf target logs output .pytest_cache

.PHONY: bench
## bench: time the project against the JSON scan floor and a PySpark job (1, 10 and 100 M events,
## generated once into benchmarks/.data/), plus the daily incremental run; rewrites docs/benchmarks.md.
## BENCH_ARGS="--sizes 1000000 10000000" runs a subset.
bench: $(VENV)/.installed-bench setup-spark
	$(BIN)/python benchmarks/run_benchmarks.py $(BENCH_ARGS)
