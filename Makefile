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

## test: every check: lint, dbt build on the sample (unit + data tests), pytest
test: setup lint test-dbt test-python

test-dbt: setup
	$(BIN)/dbt build

test-python: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check loco_clips tests/python
	$(BIN)/ruff format --check loco_clips tests/python
	$(BIN)/sqlfluff lint models macros tests analyses

clean:
	rm -rf target logs output .pytest_cache
