"""The analyses other teams copy to read user_reel_interest.parquet and rejected_events.parquet
as external tables.

They must compile, and the declared columns must be exactly the Parquet file's: same names, same
order, and the types the file physically holds (a wrong decimal scale or an int where the file has
a string makes Athena or Spark fail at query time, not at CREATE time). Athena columns are always
nullable, so a column the file declares NOT NULL (required) reads the same; the test still
checks each column's repetition, so a change in the file's nullability is seen here.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
import yaml
from docs_helpers import REPO, DocsBuild
from parquet_schemas import declared_columns, parquet_columns, parquet_columns_as_hive_types

ANALYSES = {
    "athena": "athena_user_reel_interest_external_table",
    "athena_rejected": "athena_rejected_events_external_table",
    "spark": "spark_read_user_reel_interest",
    "duckdb": "duckdb_read_user_reel_interest",
}


@pytest.fixture(scope="module")
def compiled(docs_build: DocsBuild) -> dict[str, str]:
    """`dbt compile --select resource_type:analysis`: the SQL of every analysis, by engine."""
    docs_build.dbt("compile", "--select", "resource_type:analysis")
    folder = docs_build.target / "compiled" / "loco_clips" / "analyses"
    return {engine: (folder / f"{name}.sql").read_text() for engine, name in ANALYSES.items()}


@pytest.fixture(scope="module")
def parquet_file(docs_build: DocsBuild) -> Path:
    path = docs_build.output / "user_reel_interest.parquet"
    assert path.is_file(), f"the build wrote no {path}"
    return path


@pytest.fixture(scope="module")
def rejected_file(docs_build: DocsBuild) -> Path:
    path = docs_build.output / "rejected_events.parquet"
    assert path.is_file(), f"the build wrote no {path}"
    return path


def test_athena_external_table_declares_exactly_the_parquet_schema(
    compiled: dict[str, str], parquet_file: Path
) -> None:
    ddl = compiled["athena"]
    assert re.search(r"create external table", ddl, re.I)
    assert re.search(r"inputformat '[^']*MapredParquetInputFormat'", ddl, re.I)
    assert re.search(r"location 's3://[^']+/user_reel_interest/'", ddl, re.I), (
        "LOCATION must be the run's S3 folder holding only this table's file"
    )
    assert declared_columns(ddl) == parquet_columns_as_hive_types(parquet_file)
    # Nullability: the contract's NOT NULL columns are required in the file, watched_ratio not.
    assert [(name, rep) for name, _, rep in parquet_columns(parquet_file)] == [
        ("user_uid", "REQUIRED"),
        ("reel_uid", "REQUIRED"),
        ("liked", "REQUIRED"),
        ("unliked", "REQUIRED"),
        ("watched_ratio", "OPTIONAL"),
        ("is_interested", "REQUIRED"),
    ]


def _rejected_events_model_has_event_date() -> bool:
    models = yaml.safe_load((REPO / "models" / "marts" / "_marts__models.yml").read_text())
    (model,) = [m for m in models["models"] if m["name"] == "rejected_events"]
    return any(column["name"] == "event_date" for column in model.get("columns", []))


@pytest.mark.xfail(
    not _rejected_events_model_has_event_date(),
    reason="the DDL declares event_date (date, last), which another branch adds to the model",
    strict=True,
)
def test_athena_rejected_events_table_declares_exactly_the_parquet_schema(
    compiled: dict[str, str], rejected_file: Path
) -> None:
    ddl = compiled["athena_rejected"]
    assert re.search(r"create external table", ddl, re.I)
    assert re.search(r"inputformat '[^']*MapredParquetInputFormat'", ddl, re.I)
    assert re.search(r"location 's3://[^']+/rejected_events/'", ddl, re.I)
    assert declared_columns(ddl, "rejected_events") == parquet_columns_as_hive_types(rejected_file)
    # DuckDB marks a column REQUIRED when the written rows hold no NULL (the sample's files all
    # sit in dt= folders), so only the name and type of event_date are fixed; Athena reads every
    # column as nullable either way.
    assert parquet_columns(rejected_file)[-1][:2] == ("event_date", "date")


def test_athena_rejected_events_table_declares_the_four_columns_the_file_has_today(
    compiled: dict[str, str], rejected_file: Path
) -> None:
    """Whatever is added at the end, the first four columns are the file's, in its order."""
    declared = declared_columns(compiled["athena_rejected"], "rejected_events")
    assert (
        declared[:4]
        == parquet_columns_as_hive_types(rejected_file)[:4]
        == [
            ("event_type", "string"),
            ("source_file", "string"),
            ("reason_code", "string"),
            ("raw_record", "string"),
        ]
    )


def test_spark_table_declares_exactly_the_parquet_schema(
    compiled: dict[str, str], parquet_file: Path
) -> None:
    ddl = compiled["spark"]
    assert re.search(r"using parquet", ddl, re.I)
    assert declared_columns(ddl) == parquet_columns_as_hive_types(parquet_file)


def test_duckdb_view_reads_the_built_file_with_the_contract_types(
    compiled: dict[str, str], parquet_file: Path
) -> None:
    connection = duckdb.connect()
    connection.execute(compiled["duckdb"])
    described = connection.sql("describe user_reel_interest").fetchall()
    assert [(row[0], row[1]) for row in described] == [
        ("user_uid", "VARCHAR"),
        ("reel_uid", "VARCHAR"),
        ("liked", "BOOLEAN"),
        ("unliked", "BOOLEAN"),
        ("watched_ratio", "DECIMAL(38,9)"),
        ("is_interested", "BOOLEAN"),
    ]
    (rows,) = connection.execute("select count(*) from user_reel_interest").fetchone()
    (expected,) = connection.execute(f"select count(*) from '{parquet_file.as_posix()}'").fetchone()
    assert rows == expected > 0
