"""What a Parquet file holds and what a CREATE TABLE declares, in one comparable form: the
external-table analyses are checked against the files DuckDB writes (tests/python/docs) and the
files Spark writes (tests/python/spark)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from loco_clips.duckdb_paths import literal_path


def parquet_columns(path: Path) -> list[tuple[str, str, str]]:
    """The file's columns, in order: name, the Hive/Athena/Spark type that reads it as is, and
    its repetition (REQUIRED: never NULL, OPTIONAL: may be NULL)."""
    rows = duckdb.sql(
        "select name, type, converted_type, precision, scale, repetition_type "
        "from parquet_schema(?) where num_children is null",
        params=[literal_path(path)],
    ).fetchall()
    columns = []
    for name, physical, converted, precision, scale, repetition in rows:
        if converted == "DECIMAL":
            hive_type = f"decimal({precision},{scale})"
        elif physical == "BYTE_ARRAY" and converted == "UTF8":
            hive_type = "string"
        elif physical == "BOOLEAN":
            hive_type = "boolean"
        elif physical == "INT32" and converted == "DATE":
            hive_type = "date"
        else:
            raise AssertionError(f"no Hive type mapped for {name}: {physical}/{converted}")
        columns.append((name, hive_type, repetition))
    return columns


def parquet_columns_as_hive_types(path: Path) -> list[tuple[str, str]]:
    """The file's columns, in order, as the Hive/Athena/Spark type that reads each one as is."""
    return [(name, hive_type) for name, hive_type, _ in parquet_columns(path)]


def declared_columns(ddl: str, table: str = "user_reel_interest") -> list[tuple[str, str]]:
    """The (name, type) list of a CREATE TABLE statement, types with spaces removed."""
    ddl = re.sub(r"--[^\n]*", "", ddl)  # comments may mention anything
    match = re.search(rf"{table}\s*\((.*?)\)\s*(?:row format|stored as|using)", ddl, re.S | re.I)
    assert match, f"no column list found in:\n{ddl}"
    parts = re.split(r",(?![^()]*\))", match.group(1))  # commas outside decimal(38, 9)
    columns = []
    for part in parts:
        name, column_type = part.split(maxsplit=1)
        columns.append((name.lower(), re.sub(r"\s+", "", column_type).lower()))
    return columns
