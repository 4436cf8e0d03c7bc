"""Build ``user_reel_interest`` with dbt, then load it into PostgreSQL.

Three tasks, run daily (no catch-up):

- **freshness** runs ``dbt source freshness`` on ``raw_path``: an event type whose newest
  ``server_timestamp`` is older than the error threshold (var ``freshness_error_after_hours``,
  24 h) fails the run with one line naming it and its age, before anything is built, published
  or loaded. The param ``freshness`` makes it ``warn`` (log the line and go on) or ``skip``
  (not run); the default is ``fail``.
- **transform** runs ``dbt build`` (models *and* tests, including the rejection-rate guard) on
  ``raw_path``; once all of them passed, dbt publishes the Parquet files and run_summary.json
  into ``output_path``, all three at once (docs/airflow.md). It keeps one DuckDB file per
  ``raw_path`` under ``LOCO_STATE_DIR``, so a daily run parses only the files it has not loaded
  yet (and, from dbt's parse saved beside it, only the project files that changed); the param
  ``full_refresh`` rereads everything. A dbt failure is permanent: the task fails
  at once, without retries.
- **load** replaces the PostgreSQL table ``<pg_schema>.user_reel_interest`` with the Parquet file
  in one transaction (``loco_clips.load``). Only an unreachable database is retried, with
  exponential backoff; a missing or empty file, a schema mismatch or duplicate keys fail at once,
  and the table keeps its previous content.

Configuration, none of it hard-coded:

- params ``raw_path`` / ``output_path`` (local folders, relative ones taken from the repository
  root, or ``s3://bucket/prefix``, credentials and endpoint from the standard AWS chain of the
  worker: ``AWS_*`` variables, a profile or a role), ``pg_schema``, ``full_refresh`` and
  ``freshness``, overridable per run with ``--conf``;
- the Airflow connection ``loco_postgres`` (e.g. env ``AIRFLOW_CONN_LOCO_POSTGRES``);
- env ``LOCO_DBT_BIN`` (the dbt executable, default ``<repo>/.venv/bin/dbt``: dbt may live in a
  virtual environment of its own), ``LOCO_STATE_DIR`` (where the DuckDB files live, default
  ``<repo>/state``), ``LOCO_PG_SCHEMA`` (default of ``pg_schema``),
  ``LOCO_LOAD_RETRIES`` and ``LOCO_LOAD_RETRY_DELAY_SECONDS`` (tests set them low),
  ``LOCO_FRESHNESS_REFERENCE_TIME`` (an ISO 8601 time with offset that freshness measures ages
  from instead of the clock: for tests on fixed dates, or a rerun of a past day; unset in
  production).

See docs/airflow.md for how to run it and why it is built this way.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pendulum
from airflow.sdk import (
    Connection,
    ExceptionRetryPolicy,
    Param,
    RetryAction,
    RetryRule,
    dag,
    get_current_context,
    task,
)
from airflow.sdk.exceptions import AirflowFailException

log = logging.getLogger("loco_clips.dags.user_reel_interest")

DAG_ID = "user_reel_interest"
REPO_ROOT = Path(__file__).resolve().parent.parent
CONN_ID = "loco_postgres"
PARQUET_NAME = "user_reel_interest.parquet"

# Only an unreachable database is worth another try; every other load error is permanent.
LOAD_RETRY_POLICY = ExceptionRetryPolicy(
    rules=[
        RetryRule(
            exception="loco_clips.load.DatabaseUnavailableError",
            action=RetryAction.RETRY,
            reason="PostgreSQL unreachable, retrying with backoff",
        )
    ],
    default=RetryAction.FAIL,
)


def log_failure(context: dict[str, Any]) -> None:
    """Log one line saying what failed and why: the place to plug alerting in."""
    ti = context["ti"]
    error = context.get("exception")
    reason = str(error).strip().splitlines()[0] if error and str(error).strip() else "no message"
    kind = type(error).__name__ if error else "unknown error"
    log.error(
        "%s FAILED: task=%s run_id=%s try=%s reason=%s: %s",
        DAG_ID,
        ti.task_id,
        context.get("run_id"),
        ti.try_number,
        kind,
        reason,
    )


def is_s3(location: str | Path) -> bool:
    return isinstance(location, str) and location.startswith("s3://")


def resolve_path(value: str) -> str:
    """A path from a param: ``s3://…`` and absolute paths as given, relative ones from the
    repository root."""
    if is_s3(value):
        return value
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else REPO_ROOT / path)


def dbt_executable() -> Path:
    return Path(os.environ.get("LOCO_DBT_BIN", REPO_ROOT / ".venv" / "bin" / "dbt"))


def state_database(raw_path: str | Path) -> Path:
    """The DuckDB file that remembers what was loaded from ``raw_path``: one per raw_path."""
    state_dir = Path(os.environ.get("LOCO_STATE_DIR", REPO_ROOT / "state")).expanduser()
    key = str(raw_path).rstrip("/") if is_s3(raw_path) else str(Path(raw_path).resolve())
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return state_dir / f"loco_clips-{digest}.duckdb"


def saved_parse(raw_path: str | Path) -> Path:
    """dbt's saved parse of the project (``partial_parse.msgpack``) from the last build of
    ``raw_path``, kept next to its state database. Copied into each build's scratch target folder,
    it lets dbt parse only the files that changed since (dbt itself reparses everything when the
    vars, the profile or the dbt version differ)."""
    database = state_database(raw_path)
    return database.with_name(database.stem + ".partial_parse.msgpack")


def run_dbt_build(
    raw_path: str | Path, output_path: str | Path, full_refresh: bool = False
) -> None:
    """Run ``dbt build`` on raw_path's state database; raise AirflowFailException if it fails."""
    dbt = dbt_executable()
    if not os.access(dbt, os.X_OK):
        raise AirflowFailException(f"dbt not found at {dbt}: run `make setup` or set LOCO_DBT_BIN")
    dbt_vars = {"raw_path": str(raw_path), "output_path": str(output_path)}
    # One DuckDB file per raw_path, kept between runs (incremental models: only new files are
    # parsed and merged); runs on other raw_paths or a developer's `make run` never share it.
    # Target and log folders are scratch, but for dbt's saved parse (saved_parse).
    database = state_database(raw_path)
    database.parent.mkdir(parents=True, exist_ok=True)
    log.info("state database for %s: %s", raw_path, database)
    saved = saved_parse(raw_path)
    with tempfile.TemporaryDirectory(prefix="loco_clips_dbt_") as scratch:
        work = Path(scratch)
        parse_file = work / "target" / "partial_parse.msgpack"
        if saved.is_file():
            parse_file.parent.mkdir()
            shutil.copyfile(saved, parse_file)
        env = {
            **os.environ,
            "DBT_DUCKDB_PATH": str(database),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_USE_COLORS": "false",  # plain text in the task log
        }
        command = [
            str(dbt),
            "build",
            "--project-dir",
            str(REPO_ROOT),
            "--profiles-dir",
            str(REPO_ROOT),
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
            "--vars",
            json.dumps(dbt_vars),
            # Unit tests check the code, not the data: CI runs them on every commit (make test),
            # a scheduled run does not pay for them again (about 12 s a run).
            "--exclude-resource-type",
            "unit_test",
            *(["--full-refresh"] if full_refresh else []),
        ]
        log.info("running %s", " ".join(command))
        with subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        ) as process:
            try:
                assert process.stdout is not None
                for line in process.stdout:
                    log.info("dbt: %s", line.rstrip())
                returncode = process.wait()
            finally:
                # On a timeout Airflow raises inside this frame: do not leave dbt running.
                if process.poll() is None:
                    process.kill()
        if parse_file.is_file():
            # A failed build's parse is as good as a passing one's; replaced in one rename.
            shutil.copyfile(parse_file, saved.with_name(saved.name + ".new"))
            os.replace(saved.with_name(saved.name + ".new"), saved)
        if returncode != 0:
            failed = failed_nodes(work / "target" / "run_results.json")
            detail = f": {', '.join(failed)}" if failed else " (see the dbt log above)"
            raise AirflowFailException(f"dbt build failed with exit code {returncode}{detail}")


def failed_nodes(run_results: Path) -> list[str]:
    """Names and statuses of the nodes that failed in a dbt run_results.json, if there is one."""
    try:
        results = json.loads(run_results.read_text())["results"]
    except (OSError, ValueError, KeyError):
        return []
    return [
        f"{result['unique_id']} ({result['status']})"
        for result in results
        if result.get("status") in ("error", "fail", "runtime error")
    ]


FRESHNESS_MODES = ("fail", "warn", "skip")


def run_dbt_source_freshness(raw_path: str | Path, mode: str = "fail") -> list[str]:
    """Run ``dbt source freshness`` on raw_path; return one line per late or stale source.

    A source past its error threshold raises AirflowFailException (mode ``fail``) or is only
    logged (``warn``); ``skip`` runs nothing. Any other dbt error (a bad var, no input files)
    raises in every mode but ``skip``.
    """
    if mode not in FRESHNESS_MODES:
        raise AirflowFailException(
            f"param freshness must be one of {FRESHNESS_MODES}, got {mode!r}"
        )
    if mode == "skip":
        log.warning("source freshness not checked (param freshness='skip')")
        return []
    dbt = dbt_executable()
    if not os.access(dbt, os.X_OK):
        raise AirflowFailException(f"dbt not found at {dbt}: run `make setup` or set LOCO_DBT_BIN")
    dbt_vars = {"raw_path": str(raw_path)}
    if os.environ.get("LOCO_FRESHNESS_REFERENCE_TIME"):
        dbt_vars["freshness_reference_time"] = os.environ["LOCO_FRESHNESS_REFERENCE_TIME"]
    with tempfile.TemporaryDirectory(prefix="loco_clips_freshness_") as scratch:
        work = Path(scratch)
        env = {
            **os.environ,
            # The check reads only the raw files: a scratch database, never the state.
            "DBT_DUCKDB_PATH": str(work / "freshness.duckdb"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_USE_COLORS": "false",
        }
        command = [
            str(dbt), "source", "freshness",
            "--project-dir", str(REPO_ROOT),
            "--profiles-dir", str(REPO_ROOT),
            "--target-path", str(work / "target"),
            "--log-path", str(work / "logs"),
            "--vars", json.dumps(dbt_vars),
        ]  # fmt: skip
        log.info("running %s", " ".join(command))
        done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
        for line in done.stdout.splitlines():
            log.info("dbt: %s", line.rstrip())
        stale, late = freshness_problems(work / "target" / "sources.json")
    if done.returncode != 0 and not stale:
        errors = [line.strip() for line in done.stdout.splitlines() if "Invalid var" in line]
        errors += [line.strip() for line in done.stdout.splitlines() if "No input files" in line]
        detail = f": {errors[0]}" if errors else " (see the dbt log above)"
        raise AirflowFailException(
            f"dbt source freshness failed with exit code {done.returncode}{detail}"
        )
    problems = stale + late
    if stale and mode == "fail":
        raise AirflowFailException(
            "Stale source data, nothing built or loaded: "
            + "; ".join(problems)
            + " (param freshness='warn' or 'skip' runs anyway)"
        )
    for problem in problems:
        log.warning("source freshness: %s", problem)
    return problems


def freshness_problems(sources_json: Path) -> tuple[list[str], list[str]]:
    """(stale, late): one line per source past its error / warn threshold, from sources.json."""
    try:
        results = json.loads(sources_json.read_text())["results"]
    except (OSError, ValueError, KeyError):
        return [], []
    stale, late = [], []
    for result in results:
        status = result.get("status")
        if status not in ("error", "warn"):
            continue
        name = result["unique_id"].split(".", 2)[2]  # source.<project>.<source>.<table>
        threshold = result["criteria"]["error_after" if status == "error" else "warn_after"]
        newest = result["max_loaded_at"]
        if newest.startswith("0001-01-01"):
            line = f"{name} has no event with a valid server_timestamp"
        else:
            age_hours = int(result["max_loaded_at_time_ago_in_s"]) // 360 / 10
            line = f"{name} newest event {newest[:19]}Z, {age_hours} h old"
        line += f" ({status} after {threshold['count']} {threshold['period']}s)"
        (stale if status == "error" else late).append(line)
    return stale, late


def to_conninfo(connection: Connection) -> str:
    """A libpq connection string from an Airflow connection (extras that libpq knows pass on)."""
    import psycopg

    known = {option.keyword.decode() for option in psycopg.pq.Conninfo.get_defaults()}
    extras = {key: value for key, value in connection.extra_dejson.items() if key in known}
    return psycopg.conninfo.make_conninfo(
        "",
        host=connection.host or None,
        port=connection.port or None,
        dbname=connection.schema or None,
        user=connection.login or None,
        password=connection.password or None,
        **extras,
    )


@task(retries=0, execution_timeout=timedelta(minutes=15))
def freshness() -> list[str]:
    """dbt source freshness: fail (or warn) before the build when an event type is stale."""
    params = get_current_context()["params"]
    return run_dbt_source_freshness(resolve_path(params["raw_path"]), mode=params["freshness"])


@task(retries=0, execution_timeout=timedelta(hours=1))
def transform() -> dict[str, str]:
    """dbt build: raw JSON lines -> Parquet files in output_path (tests included)."""
    params = get_current_context()["params"]
    from loco_clips.publish import published_file

    raw_path = resolve_path(params["raw_path"])
    output_path = resolve_path(params["output_path"])
    # On S3 a missing or unreadable raw_path is dbt's own one-line error (No input files, or
    # the bucket named with why it cannot be listed).
    if not is_s3(raw_path) and not Path(raw_path).is_dir():
        raise AirflowFailException(f"raw_path is not a folder: {raw_path}")
    if not is_s3(output_path):
        Path(output_path).mkdir(parents=True, exist_ok=True)
    run_dbt_build(raw_path, output_path, full_refresh=params["full_refresh"])
    # Load exactly this run's file: locally where the published symlink leads, on S3 the run's
    # own copy named by the pointer <output_path>/_latest.json.
    try:
        parquet = published_file(output_path, PARQUET_NAME)
    except OSError as error:
        raise AirflowFailException(f"dbt build succeeded but published nothing: {error}") from error
    if not is_s3(parquet) and not Path(parquet).is_file():
        raise AirflowFailException(f"dbt build succeeded but published no {parquet}")
    return {"parquet": parquet}


@task(
    retries=int(os.environ.get("LOCO_LOAD_RETRIES", "4")),
    retry_delay=timedelta(seconds=float(os.environ.get("LOCO_LOAD_RETRY_DELAY_SECONDS", "30"))),
    retry_exponential_backoff=2.0,
    max_retry_delay=timedelta(minutes=10),
    retry_policy=LOAD_RETRY_POLICY,
    execution_timeout=timedelta(minutes=30),
)
def load(transformed: dict[str, str]) -> dict[str, Any]:
    """Swap the Parquet file into PostgreSQL in one transaction."""
    from loco_clips.load import LoadError, load_parquet

    params = get_current_context()["params"]
    conninfo = to_conninfo(Connection.get(CONN_ID))
    try:
        result = load_parquet(transformed["parquet"], conninfo, schema=params["pg_schema"])
    except LoadError as error:
        raise AirflowFailException(str(error)) from error
    return {"table": result.table, "rows": result.rows}


@dag(
    dag_id=DAG_ID,
    description="dbt build of user_reel_interest, then an atomic load into PostgreSQL",
    schedule="@daily",
    start_date=pendulum.datetime(2025, 11, 24, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=2),
    default_args={"owner": "data-engineering", "on_failure_callback": log_failure},
    params={
        "raw_path": Param(
            "data/raw",
            type="string",
            minLength=1,
            description="Folder of raw events (reel_watched/, reel_liked/, reel_unliked/), or "
            "s3://bucket/prefix; relative paths start at the repository root.",
        ),
        "output_path": Param(
            "output",
            type="string",
            minLength=1,
            description="Folder the Parquet files are written to, or s3://bucket/prefix; relative "
            "paths start at the repository root.",
        ),
        "pg_schema": Param(
            os.environ.get("LOCO_PG_SCHEMA", "public"),
            type="string",
            minLength=1,
            description="PostgreSQL schema of the user_reel_interest table.",
        ),
        "full_refresh": Param(
            False,
            type="boolean",
            description="Reread every raw file (dbt --full-refresh): after files were deleted "
            "from raw_path, or after a deploy that changes the staging columns.",
        ),
        "freshness": Param(
            "fail",
            type="string",
            enum=list(FRESHNESS_MODES),
            description="Source freshness before the build: 'fail' stops the run when an event "
            "type's newest event is older than the error threshold (24 h), 'warn' only logs it, "
            "'skip' does not check (a backfill of old days).",
        ),
    },
    tags=["loco_clips", "dbt", "postgres"],
    doc_md=__doc__,
)
def user_reel_interest() -> None:
    transformed = transform()
    freshness() >> transformed
    load(transformed)


user_reel_interest()
