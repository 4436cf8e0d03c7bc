"""The Athena/Glue DDL in analyses/ declares exactly the Parquet schema Spark writes, for both
outputs (tests/python/docs checks the same DDL against the files DuckDB writes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from parquet_schemas import declared_columns, parquet_columns_as_hive_types
from spark_builds import Build, run_dbt

pytestmark = pytest.mark.spark

ATHENA_TABLES = {
    "user_reel_interest": "athena_user_reel_interest_external_table",
    "rejected_events": "athena_rejected_events_external_table",
}


@pytest.mark.parametrize("table", ATHENA_TABLES)
def test_the_athena_ddl_declares_the_schema_of_every_part_file_spark_writes(
    table: str, dirty_raw: Path, spark_build: Build, tmp_path: Path
) -> None:
    assert spark_build.process.returncode == 0, spark_build.process.stdout[-3000:]
    compiled = run_dbt(
        "duckdb", tmp_path, dirty_raw, spark_build.out, "compile", "--select", ATHENA_TABLES[table]
    )
    assert compiled.process.returncode == 0, compiled.process.stdout[-3000:]
    ddl_file = tmp_path / "target" / "compiled" / "loco_clips" / "analyses"
    ddl = (ddl_file / f"{ATHENA_TABLES[table]}.sql").read_text()
    parts = sorted((spark_build.out / f"{table}.parquet").glob("part-*.parquet"))
    assert parts, f"Spark wrote no part file under {spark_build.out / table}.parquet"
    declared = declared_columns(ddl, table)
    for part in parts:
        assert declared == parquet_columns_as_hive_types(part), part.name
