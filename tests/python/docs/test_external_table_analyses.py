"""The analyses other teams copy to read user_reel_interest.parquet as an external table.

They must compile, and the declared columns must be exactly the Parquet file's: same names, same
order, and the types the file physically holds (a wrong decimal scale or an int where the file has
a string makes Athena or Spark fail at query time, not at CREATE time).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from docs_helpers import DocsBuild

ANALYSES = {
    "athena": "athena_user_reel_interest_external_table",
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


def parquet_columns_as_hive_types(path: Path) -> list[tuple[str, str]]:
    """The file's columns, in order, as the Hive/Athena/Spark type that reads each one as is."""
    rows = duckdb.sql(
        "select name, type, converted_type, precision, scale "
        f"from parquet_schema('{path.as_posix()}') where num_children is null"
    ).fetchall()
    columns = []
    for name, physical, converted, precision, scale in rows:
        if converted == "DECIMAL":
            hive_type = f"decimal({precision},{scale})"
        elif physical == "BYTE_ARRAY" and converted == "UTF8":
            hive_type = "string"
        elif physical == "BOOLEAN":
            hive_type = "boolean"
        else:
            raise AssertionError(f"no Hive type mapped for {name}: {physical}/{converted}")
        columns.append((name, hive_type))
    return columns


def declared_columns(ddl: str) -> list[tuple[str, str]]:
    """The (name, type) list of a CREATE TABLE statement, types with spaces removed."""
    ddl = re.sub(r"--[^\n]*", "", ddl)  # comments may mention anything
    match = re.search(
        r"user_reel_interest\s*\((.*?)\)\s*(?:row format|stored as|using)", ddl, re.S | re.I
    )
    assert match, f"no column list found in:\n{ddl}"
    parts = re.split(r",(?![^()]*\))", match.group(1))  # commas outside decimal(38, 9)
    columns = []
    for part in parts:
        name, column_type = part.split(maxsplit=1)
        columns.append((name.lower(), re.sub(r"\s+", "", column_type).lower()))
    return columns


def test_athena_external_table_declares_exactly_the_parquet_schema(
    compiled: dict[str, str], parquet_file: Path
) -> None:
    ddl = compiled["athena"]
    assert re.search(r"create external table", ddl, re.I)
    assert re.search(r"inputformat '[^']*MapredParquetInputFormat'", ddl, re.I)
    assert re.search(r"location 's3://[^']+/'", ddl, re.I), "LOCATION must be an S3 folder"
    assert declared_columns(ddl) == parquet_columns_as_hive_types(parquet_file)


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
