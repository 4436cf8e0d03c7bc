"""The same models on Spark and on DuckDB give the same output on the same dirty data."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from spark_builds import Build, run_dbt

from loco_clips.publish import PUBLISHED_NAMES

pytestmark = pytest.mark.spark

OUTPUTS = ("user_reel_interest", "rejected_events")
RATIO_TOLERANCE = Decimal("1e-9")


def parquet_source(out: Path, name: str) -> str:
    """A read_parquet() over the export: a file on DuckDB, a folder of part files on Spark."""
    path = out / f"{name}.parquet"
    pattern = path / "*.parquet" if path.is_dir() else path
    return f"read_parquet('{pattern}')"


def columns(out: Path, name: str) -> list[tuple[str, str]]:
    with duckdb.connect() as con:
        return con.sql(f"describe select * from {parquet_source(out, name)}").fetchall()


def rows(out: Path, name: str) -> list[tuple]:
    """Every row, sorted on every column (NULLs last), so two engines' outputs line up."""
    with duckdb.connect() as con:
        relation = con.sql(f"select * from {parquet_source(out, name)}")
        order = ", ".join(f'"{column}" nulls last' for column in relation.columns)
        return relation.order(order).fetchall()


def assert_same_rows(expected: list[tuple], actual: list[tuple]) -> None:
    assert len(actual) == len(expected)
    for expected_row, actual_row in zip(expected, actual, strict=True):
        for expected_value, actual_value in zip(expected_row, actual_row, strict=True):
            if isinstance(expected_value, Decimal) and isinstance(actual_value, Decimal):
                assert abs(expected_value - actual_value) <= RATIO_TOLERANCE, (
                    expected_row,
                    actual_row,
                )
            else:
                assert actual_value == expected_value, (expected_row, actual_row)


def unit_test_results(build: Build) -> dict[str, str]:
    return {
        result["unique_id"]: result["status"]
        for result in build.run_results()["results"]
        if result["unique_id"].startswith("unit_test.")
    }


@pytest.mark.parametrize("fixture", ["duckdb_build", "spark_build"])
def test_build_passes_on_dirty_data(fixture: str, request: pytest.FixtureRequest) -> None:
    build: Build = request.getfixturevalue(fixture)
    assert build.process.returncode == 0, build.process.stdout[-5000:]


def test_a_spark_build_stages_and_the_publish_step_swaps_in_all_three(spark_build: Build) -> None:
    """Spark SQL cannot swap a symlink: the build writes the run's three folders under
    .runs/<run id>/ only, then `loco-clips-publish` points the fixed names at them at once."""
    assert spark_build.process.returncode == 0, spark_build.process.stdout[-5000:]
    run_id = spark_build.run_results()["metadata"]["invocation_id"]
    run = f".runs/{run_id}"
    staged = set(spark_build.staged)
    assert {f"{run}/{name}/_SUCCESS" for name in PUBLISHED_NAMES} <= staged
    # Outside the run folder, at most the empty folders the catalog tables' locations make.
    assert {path for path in staged if not path.startswith(".runs/")} <= {".runs", *PUBLISHED_NAMES}
    assert f"Outputs written to {spark_build.out}/{run}, not published yet" in (
        spark_build.process.stdout
    )
    assert spark_build.publish is not None
    assert spark_build.publish.returncode == 0, spark_build.publish.stderr
    assert spark_build.publish.stdout == f"Outputs published: {spark_build.out}/{run}\n"
    assert (spark_build.out / "current").readlink() == Path(run)
    for name in PUBLISHED_NAMES:
        assert (spark_build.out / name).readlink() == Path("current") / name
        assert ((spark_build.out / name).resolve() / "_SUCCESS").is_file()


@pytest.mark.parametrize("fixture", ["duckdb_build", "spark_build"])
def test_every_unit_test_passes(fixture: str, request: pytest.FixtureRequest) -> None:
    build: Build = request.getfixturevalue(fixture)
    declared = set(build.manifest()["unit_tests"])
    results = unit_test_results(build)
    assert len(declared) >= 9
    assert set(results) == declared
    assert set(results.values()) == {"pass"}, results


@pytest.mark.parametrize("name", OUTPUTS)
def test_outputs_have_the_same_columns_and_types(
    name: str, duckdb_build: Build, spark_build: Build
) -> None:
    assert columns(spark_build.out, name) == columns(duckdb_build.out, name)


@pytest.mark.parametrize("name", OUTPUTS)
def test_outputs_are_equal_row_for_row(name: str, duckdb_build: Build, spark_build: Build) -> None:
    expected = rows(duckdb_build.out, name)
    assert expected, f"{name} is empty: the data set should have rows of every kind"
    assert_same_rows(expected, rows(spark_build.out, name))


def test_every_reason_code_of_the_dirt_is_there(spark_build: Build) -> None:
    reasons = {row[2] for row in rows(spark_build.out, "rejected_events")}
    assert {
        "malformed_json",
        "not_a_json_object",
        "missing_user_uid",
        "invalid_user_uid",
        "invalid_reel_uid",
        "invalid_app_version",
    } <= reasons


def test_spark_leaves_nothing_in_the_working_directory(spark_build: Build) -> None:
    assert list(spark_build.cwd.iterdir()) == []
    spark_dir = spark_build.work / "spark"
    assert (spark_dir / "metastore_db").is_dir()
    assert (spark_dir / "warehouse").is_dir()


def test_a_spark_run_without_tests_publishes_nothing(
    dirty_raw: Path, duckdb_build: Build, spark_build: Build
) -> None:
    """`dbt run` runs no tests, so on-run-end leaves every published file as it was."""

    def files(out: Path) -> dict[str, bytes]:
        return {
            str(path.relative_to(out)): path.read_bytes()
            for path in out.rglob("*")
            if path.is_file()
        }

    before = files(spark_build.out)
    assert any("/run_summary.json/part-" in name for name in before)
    rerun = run_dbt("spark", spark_build.work, dirty_raw, spark_build.out, "run", "-s", "marts")
    assert rerun.process.returncode == 0, rerun.process.stdout[-5000:]
    assert "Outputs not published: only `dbt build` publishes" in rerun.process.stdout
    assert files(spark_build.out) == before
    for name in OUTPUTS:
        assert_same_rows(rows(duckdb_build.out, name), rows(spark_build.out, name))


def run_summary(out: Path) -> dict:
    """run_summary.json: a file on DuckDB, a folder of part files on Spark; one JSON object."""
    path = out / "run_summary.json"
    parts = [path] if path.is_file() else sorted(path.glob("part-*.json"))
    (line,) = "".join(part.read_text() for part in parts).splitlines()
    return json.loads(line)


def test_run_summaries_agree(duckdb_build: Build, spark_build: Build) -> None:
    duckdb_summary, spark_summary = run_summary(duckdb_build.out), run_summary(spark_build.out)
    # Each its own run (run_results.json may be a later run's by now: compare the two ids).
    assert len(spark_summary["run_id"]) == len(duckdb_summary["run_id"]) == 36
    assert spark_summary["run_id"] != duckdb_summary["run_id"]
    for key in ("raw_path", "files_in_state", "files_read", "event_types", "rows"):
        assert spark_summary[key] == duckdb_summary[key], key


def test_the_spark_catalog_tables_read_the_published_outputs(
    spark_build: Build, dirty_raw: Path
) -> None:
    """<model>_parquet and run_summary_json are external tables on the fixed names. (Last in
    the file: its `dbt show` replaces the build's run_results.json.)"""
    query = (
        "select (select count(*) from loco_clips.user_reel_interest_parquet) as interest,"
        " (select count(*) from loco_clips.rejected_events_parquet) as rejected,"
        " (select max(run_id) from loco_clips.run_summary_json) as run_id"
    )
    show = run_dbt(
        "spark", spark_build.work, dirty_raw, spark_build.out,
        "show", "--inline", query, "--output", "json",
    )  # fmt: skip
    assert show.process.returncode == 0, show.process.stdout[-5000:]
    start = show.process.stdout.index('{\n  "show"')
    (shown,) = json.JSONDecoder().raw_decode(show.process.stdout, start)[0]["show"]
    summary = run_summary(spark_build.out)
    assert shown == {
        "interest": summary["rows"]["user_reel_interest"],
        "rejected": summary["rows"]["rejected_events"],
        "run_id": summary["run_id"],
    }
    assert shown["interest"] == len(rows(spark_build.out, "user_reel_interest"))
