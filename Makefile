# The verbs of the project. Every target that needs Python sets up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)

.PHONY: setup run test test-dbt test-python lint clean

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
test: setup test-dbt lint test-python

test-dbt: setup
	$(BIN)/dbt build

test-python: setup
	$(BIN)/pytest

## lint: ruff on the Python, sqlfluff (dbt templater, DuckDB dialect) on the SQL
lint: setup
	$(BIN)/ruff check loco_clips tests/python $(wildcard dags benchmarks)
	$(BIN)/ruff format --check loco_clips tests/python $(wildcard dags benchmarks)
	$(BIN)/sqlfluff lint models tests $(wildcard analyses)

clean:
	rm -rf target logs output .pytest_cache
