"""The hostile-input lines on Spark: every bad line is one rejected line with the reason and the
raw_record DuckDB gives it (not UTF-8, CR-only and stray CRs, a NUL byte, text after the object,
JSON outside RFC 8259, ids that are not JSON strings), and the same pairs are used."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_lines import (
    BAD_LINE_REJECTED,
    BAD_LINE_USERS,
    STRICT_JSON_LINES,
    write_bad_line_files,
    write_strict_json_files,
)
from spark_builds import Build, run_dbt
from test_spark_parity import OUTPUTS, rows, run_summary

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def hostile_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("hostile") / "raw"
    write_bad_line_files(raw)
    write_strict_json_files(raw)
    (raw / "reel_unliked").mkdir()  # Spark needs every event-type folder (docs/spark.md)
    return raw


def _build(engine: str, raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    work = tmp_path_factory.mktemp(f"hostile_{engine}")
    build = run_dbt(engine, work, raw, work / "out", "build", max_rejection_rate=1)
    assert build.process.returncode == 0, build.process.stdout[-5000:]
    return build


@pytest.fixture(scope="module")
def hostile_builds(
    hostile_raw: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Build, Build]:
    return _build("duckdb", hostile_raw, tmp_path_factory), _build(
        "spark", hostile_raw, tmp_path_factory
    )


@pytest.mark.parametrize("name", OUTPUTS)
def test_spark_gives_duckdb_s_rows_on_hostile_lines(
    name: str, hostile_builds: tuple[Build, Build]
) -> None:
    duckdb_build, spark_build = hostile_builds
    assert rows(spark_build.out, name) == rows(duckdb_build.out, name)


def test_spark_rejects_each_hostile_line_for_its_reason(
    hostile_builds: tuple[Build, Build],
) -> None:
    _, spark_build = hostile_builds
    rejected = rows(spark_build.out, "rejected_events")
    bad_line_reasons = sorted(
        (Path(source_file).name, reason)
        for _, source_file, reason, *_ in rejected
        if Path(source_file).name != "strict.jsonl"
    )
    assert bad_line_reasons == BAD_LINE_REJECTED
    strict_reasons = sorted(
        reason
        for _, source_file, reason, *_ in rejected
        if Path(source_file).name == "strict.jsonl"
    )
    expected = [reason for reason in STRICT_JSON_LINES.values() if reason is not None]
    assert strict_reasons == sorted([*expected, "invalid_reel_uid"])  # + the watched line
    users = {row[0] for row in rows(spark_build.out, "user_reel_interest")}
    assert users == {*BAD_LINE_USERS, "12", 'a" ,]', "true"}


def test_spark_counts_every_hostile_line(hostile_builds: tuple[Build, Build]) -> None:
    duckdb_build, spark_build = hostile_builds
    assert (
        run_summary(spark_build.out)["event_types"] == run_summary(duckdb_build.out)["event_types"]
    )
