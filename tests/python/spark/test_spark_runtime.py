"""The Spark the suite runs on, and the Spark DDL of analyses/ read back by a real Spark session.

`make test-spark` runs this suite once per virtualenv (Spark 3.5 in .venv, Spark 4 in
.venv-spark4) and sets LOCO_EXPECTED_SPARK_VERSION to the pyspark version that venv's
constraints file pins, so a wrong install fails here instead of passing silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from spark_builds import SPARK_VERSION, Build, expected_spark_version, run_dbt

pytestmark = pytest.mark.spark

ANALYSIS = "spark_read_user_reel_interest"


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A local SparkSession of this venv's pyspark, with an in-memory catalog (no Derby
    metastore to collide with the dbt builds) and every scratch folder under a temp folder."""
    from pyspark.sql import SparkSession

    scratch = tmp_path_factory.mktemp("spark_session")
    session = (
        SparkSession.builder.master("local[1]")
        .appName("loco_clips_tests")
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
        .config("spark.local.dir", str(scratch / "tmp"))
        .config("spark.driver.extraJavaOptions", f"-Djava.io.tmpdir={scratch / 'tmp'}")
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_this_venv_has_the_pyspark_it_pins(spark) -> None:
    assert spark.sql("select version()").first()[0].split()[0] == expected_spark_version()


# Texts for the Spark JSON helpers: is it exactly one strict JSON value, and its compact text.
JSON_TEXTS = {
    '{"a": 1}': (True, '{"a":1}'),
    "[1, 2]": (True, "[1,2]"),
    "true": (True, "true"),
    ' "x y" ': (True, '"x y"'),
    "null": (True, "null"),
    "1], [2": (False, None),
    "1, 2": (False, None),
    '{"a": 1} x': (False, None),
    "{'a': 1}": (False, None),
    '{"a": NaN}': (False, None),
    '{"a": 1 /* c */}': (False, None),
    '{"a": 01}': (False, None),
    "abc": (False, None),
    'a "quote", a \\ backslash, a\ttab': (False, None),
    "": (False, None),
    '"12"': (True, '"12"'),
    '"-5"': (True, '"-5"'),
    '"true"': (True, '"true"'),
    '"[1]"': (True, '"[1]"'),
    '"{}"': (True, '"{}"'),
    "false": (True, "false"),
    "12": (True, "12"),
    "{}": (True, "{}"),
    "[]": (True, "[]"),
}

SHOW_QUERY = """
select
    version() as spark_version,
    typeof('1' + 1) as string_plus_int,
    try_cast('n/a' as int) as not_an_int,
    t as text,
    {{ spark_is_json_value('t') }} as is_json_value,
    case
        when {{ spark_is_json_value('t') }} then {{ spark_json_value_text('t') }}
    end as value_text,
    {{ spark_json_string('t') }} as as_string,
    {%- set id_text = spark_parse_raw_line('id_object', ['user_uid']) ~ '[0].user_uid' %}
    case
        when {{ spark_is_json_value('t') }}
            then {{ spark_is_non_string_id('id_object', 'user_uid', id_text) }}
    end as id_is_non_string
from (
    select t, concat('{"user_uid": ', t, '}') as id_object
    from values
        {%- for t in var('json_texts') %}
        ({{ sql_literal(t) }}){{ ',' if not loop.last }}
        {%- endfor %}
        as cases (t)
)
"""

# Each JSON value above (and a few more) as a user_uid: is it there and not a JSON string?
NON_STRING_IDS = {
    **{text: not text.strip().startswith('"') for text, (valid, _) in JSON_TEXTS.items() if valid},
    "null": False,
}


@pytest.fixture(scope="module")
def dbt_spark_rows(tmp_path_factory: pytest.TempPathFactory, dirty_raw: Path) -> list[dict]:
    """One `dbt show --target spark` (one Spark start): the session's version and ANSI probes,
    and the project's Spark JSON helpers on JSON_TEXTS (a var, quoted by sql_literal)."""
    work = tmp_path_factory.mktemp("spark_show")
    show = run_dbt(
        "spark", work, dirty_raw, work / "out",
        "show", "--inline", SHOW_QUERY, "--limit", "100", "--output", "json",
        json_texts=list(JSON_TEXTS),
    )  # fmt: skip
    assert show.process.returncode == 0, show.process.stdout[-5000:]
    start = show.process.stdout.index('{\n  "show"')
    shown, _ = json.JSONDecoder().raw_decode(show.process.stdout, start)
    return shown["show"]


def test_dbt_runs_the_pinned_spark(dbt_spark_rows: list[dict], request) -> None:
    running = {row["spark_version"].split()[0] for row in dbt_spark_rows}
    request.config.stash[SPARK_VERSION] = ", ".join(sorted(running))
    assert running == {expected_spark_version()}


@pytest.mark.xfail(
    strict=True,
    reason="dbt-spark 1.11.0 sets spark.sql.ansi.enabled=false in every session "
    "(dbt/adapters/spark/connections.py), overriding the profile: ANSI is off on 3.5 and 4",
)
def test_dbt_runs_spark_in_ansi_mode(dbt_spark_rows: list[dict]) -> None:
    """ANSI mode on (Spark 3.5's default is off; the profile asks for it): '1' + 1 is a bigint,
    not a double (both seen in a plain pyspark session on 3.5.8 and 4.3.0); try_cast gives NULL."""
    row = dbt_spark_rows[0]
    assert (row["string_plus_int"], row["not_an_int"]) == ("bigint", None)


def test_the_json_helpers_are_strict_on_this_spark(dbt_spark_rows: list[dict]) -> None:
    """spark_is_json_value, spark_json_value_text and spark_json_string (no variant type)."""
    got = {row["text"]: (row["is_json_value"], row["value_text"]) for row in dbt_spark_rows}
    assert got == JSON_TEXTS
    for row in dbt_spark_rows:
        assert row["as_string"] == json.dumps(row["text"], ensure_ascii=False), row


def test_an_id_is_a_json_string_only_when_it_is_one_on_this_spark(
    dbt_spark_rows: list[dict],
) -> None:
    """spark_is_non_string_id, which Spark needs for lack of json_type: "12" and "true" are
    ids, 12 and true are not."""
    got = {row["text"]: row["id_is_non_string"] for row in dbt_spark_rows if row["is_json_value"]}
    assert got == NON_STRING_IDS


@pytest.fixture(scope="module")
def compiled_with_relative_output(
    tmp_path_factory: pytest.TempPathFactory, dirty_raw: Path, duckdb_build: Build
) -> tuple[Path, str]:
    """The analysis compiled (default target) from a folder where `output` is the DuckDB
    build's output folder, with the relative `output_path: output`."""
    work = tmp_path_factory.mktemp("analysis_compile")
    (work / "cwd").mkdir()
    (work / "cwd" / "output").symlink_to(duckdb_build.out, target_is_directory=True)
    compile_run = run_dbt("duckdb", work, dirty_raw, Path("output"), "compile", "-s", ANALYSIS)
    assert compile_run.process.returncode == 0, compile_run.process.stdout[-5000:]
    sql = (work / "target" / "compiled" / "loco_clips" / "analyses" / f"{ANALYSIS}.sql").read_text()
    return work / "cwd", sql


def test_the_spark_ddl_location_is_absolute(compiled_with_relative_output) -> None:
    cwd, sql = compiled_with_relative_output
    (location,) = re.findall(r"^location '(.*)'$", sql, re.M)
    assert location == f"{cwd}/output/user_reel_interest.parquet"


def test_the_spark_ddl_reads_the_published_file(
    spark, compiled_with_relative_output, duckdb_build: Build
) -> None:
    """Created in a real Spark session, the table holds every row of the real file."""
    _, sql = compiled_with_relative_output
    spark.sql("create database if not exists loco_clips")
    spark.sql("drop table if exists loco_clips.user_reel_interest")
    spark.sql(sql)
    published = duckdb_build.out / "user_reel_interest.parquet"
    expected = duckdb.execute(
        "select count(*), count(watched_ratio) from read_parquet(?)", [str(published)]
    ).fetchone()
    assert expected[0] > 0
    actual = spark.sql(
        "select count(*), count(watched_ratio) from loco_clips.user_reel_interest"
    ).first()
    assert tuple(actual) == expected
