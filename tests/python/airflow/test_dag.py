"""The user_reel_interest DAG, run whole (dbt build, then load) against a real PostgreSQL server.

The first run goes through the exact command other tools use (``airflow dags test ... --conf``);
the others use ``dag.test()`` in this process, which is faster. Every failure test starts from the
table the first run loaded and checks it is still there, row for row.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from airflow_support import (
    DAG_ID,
    LOADER,
    LOADER_PASSWORD,
    REPO_ROOT,
    SAMPLE_RAW,
    PostgresServer,
    parquet_rows,
    table_rows,
)

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def dag(airflow_home: Path):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO_ROOT / "dags"))
    assert bag.import_errors == {}
    return bag.get_dag(DAG_ID)


@pytest.fixture(scope="module")
def conn_env(postgres: PostgresServer) -> dict[str, str]:
    return {"AIRFLOW_CONN_LOCO_POSTGRES": postgres.airflow_uri(LOADER, LOADER_PASSWORD)}


@pytest.fixture(scope="module")
def first_load(
    airflow_home: Path, conn_env: dict[str, str], loader_dsn: str, tmp_path_factory
) -> list:
    """Run the DAG on the bundled sample with the CLI; return the rows it left in PostgreSQL."""
    out = tmp_path_factory.mktemp("first") / "out"
    conf = {"raw_path": str(SAMPLE_RAW), "output_path": str(out)}
    done = subprocess.run(
        [str(BIN / "airflow"), "dags", "test", DAG_ID, "--conf", json.dumps(conf)],
        env={**os.environ, **conn_env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-5000:]
    assert "state=success" in done.stdout + done.stderr
    rows = table_rows(loader_dsn)
    expected = parquet_rows(out / "user_reel_interest.parquet")
    assert rows == expected
    return rows


def run_dag(dag, monkeypatch, conn_env: dict[str, str], **conf: object):
    """One in-process DAG run; return the run and {task_id: task instance}."""
    for name, value in conn_env.items():
        monkeypatch.setenv(name, value)
    run = dag.test(run_conf=conf)
    return run, {ti.task_id: ti for ti in run.get_task_instances()}


def failure_log_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The lines the DAG's on_failure_callback logged."""
    messages = (record.getMessage() for record in caplog.records)
    return [message for message in messages if message.startswith(f"{DAG_ID} FAILED")]


def test_dag_has_freshness_then_transform_then_load_daily_without_catchup(dag):
    assert set(dag.task_ids) == {"freshness", "transform", "load"}
    assert dag.get_task("transform").upstream_task_ids == {"freshness"}
    assert dag.get_task("load").upstream_task_ids == {"transform"}
    assert dag.catchup is False
    assert dag.schedule == "@daily"
    assert dag.params["raw_path"] == "data/raw"
    assert dag.params["output_path"] == "output"
    assert dag.params["pg_schema"] == "public"
    assert dag.params["freshness"] == "fail"


def test_failures_are_retried_only_where_they_can_be_transient(dag):
    freshness, transform, load = (dag.get_task(t) for t in ("freshness", "transform", "load"))
    assert freshness.retries == 0
    assert transform.retries == 0
    assert load.retries > 0
    assert load.retry_exponential_backoff > 1
    assert load.retry_policy is not None
    for task in (freshness, transform, load):
        assert task.execution_timeout is not None
        assert task.on_failure_callback


def test_dags_test_cli_loads_the_parquet_file_row_for_row(first_load: list, readonly_role: str):
    assert len(first_load) > 100
    assert table_rows(readonly_role) == first_load


def test_rerun_is_idempotent(dag, monkeypatch, conn_env, first_load, loader_dsn, tmp_path):
    out = tmp_path / "out"
    run, tis = run_dag(dag, monkeypatch, conn_env, raw_path=str(SAMPLE_RAW), output_path=str(out))
    assert run.state == "success"
    assert table_rows(loader_dsn) == first_load == parquet_rows(out / "user_reel_interest.parquet")


def test_daily_runs_parse_only_new_files_and_full_refresh_rereads_all(
    dag, monkeypatch, conn_env, loader_dsn, schema, tmp_path, caplog
):
    generated, raw, out = tmp_path / "generated", tmp_path / "raw", tmp_path / "out"
    subprocess.run(
        [
            str(BIN / "loco-clips-generate"), "--out", str(generated), "--events", "3000",
            "--dirt-rate", "0.02", "--seed", "4", "--days", "3", "--files-per-day", "1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    days = sorted(p.name for p in (generated / "reel_watched").iterdir())

    def land(day: str) -> None:
        for event_type in ("reel_watched", "reel_liked", "reel_unliked"):
            shutil.copytree(generated / event_type / day, raw / event_type / day)

    def run(**conf: object) -> list[str]:
        caplog.clear()
        dag_run, _ = run_dag(
            dag, monkeypatch, conn_env, raw_path=str(raw), output_path=str(out),
            pg_schema=schema, **conf,
        )  # fmt: skip
        assert dag_run.state == "success"
        assert table_rows(loader_dsn, schema) == parquet_rows(out / "user_reel_interest.parquet")
        return [r.getMessage() for r in caplog.records]

    def counts(lines: list[str]) -> list[str]:
        return [line for line in lines if " new of " in line]

    def full_parses(lines: list[str]) -> list[str]:
        """What dbt build (not dbt source freshness) said about parsing the whole project."""
        found, in_build = [], False
        for line in lines:
            if line.startswith("running "):
                in_build = " build " in line
            elif in_build and "Unable to do partial parsing" in line:
                found.append(line)
        return found

    def fresh_until(day: str) -> None:
        """Each daily run checks freshness an hour after the last day landed."""
        next_day = date.fromisoformat(day.removeprefix("dt=")) + timedelta(days=1)
        monkeypatch.setenv("LOCO_FRESHNESS_REFERENCE_TIME", f"{next_day}T01:00:00Z")

    land(days[0])
    land(days[1])
    fresh_until(days[1])
    # The first build of a raw_path parses the whole project; the daily builds after it parse
    # only what changed since (nothing here), from the parse saved next to the state database.
    assert full_parses(run())
    land(days[2])
    fresh_until(days[2])
    daily = run()
    assert any("reel_watched: 1 new of 3 files" in line for line in counts(daily))
    assert full_parses(daily) == []
    daily_rows = table_rows(loader_dsn, schema)
    assert counts(run(full_refresh=True)) == []  # every file reread: no incremental file count
    assert table_rows(loader_dsn, schema) == daily_rows


def test_database_down_is_retried_then_fails_clearly_and_keeps_the_table(
    dag, monkeypatch, conn_env, first_load, loader_dsn, postgres, tmp_path, caplog
):
    postgres.stop()
    try:
        run, tis = run_dag(
            dag, monkeypatch, conn_env, raw_path=str(SAMPLE_RAW), output_path=str(tmp_path / "o")
        )
    finally:
        postgres.start()
    assert run.state == "failed"
    assert tis["transform"].state == "success"
    assert tis["load"].state == "failed"
    assert tis["load"].try_number == tis["load"].max_tries + 1 == 3  # LOCO_LOAD_RETRIES=2
    assert table_rows(loader_dsn) == first_load
    failure_lines = failure_log_lines(caplog)
    assert len(failure_lines) == 1, failure_lines
    assert "task=load" in failure_lines[0]
    assert "DatabaseUnavailableError" in failure_lines[0]


def test_missing_input_fails_without_retries_and_keeps_the_table(
    dag, monkeypatch, conn_env, first_load, loader_dsn, tmp_path, caplog
):
    missing = tmp_path / "no such folder"
    run, tis = run_dag(
        dag, monkeypatch, conn_env, raw_path=str(missing), output_path=str(tmp_path / "o")
    )
    assert run.state == "failed"
    assert tis["freshness"].state == "failed"
    assert tis["freshness"].try_number == 1
    assert tis["transform"].state == "upstream_failed"
    assert tis["load"].state == "upstream_failed"
    assert table_rows(loader_dsn) == first_load
    [failure_line] = failure_log_lines(caplog)
    assert "task=freshness" in failure_line
    assert f"No input files: raw_path {json.dumps(str(missing))} has no" in failure_line


def test_input_folder_without_files_fails_without_retries_and_keeps_the_table(
    dag, monkeypatch, conn_env, first_load, loader_dsn, tmp_path
):
    raw = tmp_path / "raw"
    for event_type in ("reel_watched", "reel_liked", "reel_unliked"):
        (raw / event_type / "dt=2025-11-24").mkdir(parents=True)
    run, tis = run_dag(dag, monkeypatch, conn_env, raw_path=str(raw), output_path=str(tmp_path))
    assert run.state == "failed"
    assert tis["freshness"].state == "failed"
    assert tis["freshness"].try_number == 1
    assert tis["transform"].state == "upstream_failed"
    assert tis["load"].state == "upstream_failed"
    assert table_rows(loader_dsn) == first_load


def test_rejection_guard_trip_fails_without_retries_and_keeps_the_table(
    dag, monkeypatch, conn_env, first_load, loader_dsn, tmp_path, caplog
):
    raw = tmp_path / "dirty"
    subprocess.run(
        [
            str(BIN / "loco-clips-generate"),
            "--out",
            str(raw),
            "--events",
            "2000",
            "--dirt-rate",
            "0.5",
            "--seed",
            "3",
        ],  # fmt: skip
        check=True,
        capture_output=True,
    )
    run, tis = run_dag(
        dag, monkeypatch, conn_env, raw_path=str(raw), output_path=str(tmp_path / "out")
    )
    assert run.state == "failed"
    assert tis["transform"].state == "failed"
    assert tis["transform"].try_number == 1
    assert tis["load"].state == "upstream_failed"
    assert table_rows(loader_dsn) == first_load
    failure_lines = failure_log_lines(caplog)
    assert len(failure_lines) == 1, failure_lines
    assert "task=transform" in failure_lines[0]
    assert "assert_rejection_rate_within_limit" in failure_lines[0]


def sample_without_its_last_day_of_watches(tmp_path: Path) -> Path:
    """The bundled sample whose reel_watched events of 2025-11-26 never landed."""
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE_RAW, raw)
    shutil.rmtree(raw / "reel_watched" / "dt=2025-11-26")
    return raw


def test_stale_source_fails_before_transform_and_nothing_is_published_or_loaded(
    dag, monkeypatch, conn_env, first_load, loader_dsn, tmp_path, caplog
):
    raw, out = sample_without_its_last_day_of_watches(tmp_path), tmp_path / "out"
    run, tis = run_dag(dag, monkeypatch, conn_env, raw_path=str(raw), output_path=str(out))
    assert run.state == "failed"
    assert tis["freshness"].state == "failed"
    assert tis["freshness"].try_number == 1
    assert tis["transform"].state == "upstream_failed"
    assert tis["load"].state == "upstream_failed"
    assert not out.exists()
    assert table_rows(loader_dsn) == first_load
    [failure_line] = failure_log_lines(caplog)
    assert "task=freshness" in failure_line
    assert (
        "Stale source data, nothing built or loaded: clips.reel_watched newest event 2025-11-25T23:"
    ) in failure_line
    assert " h old (error after 24 hours)" in failure_line
    assert "reel_liked" not in failure_line and "reel_unliked" not in failure_line


@pytest.mark.parametrize("mode", ["warn", "skip"])
def test_freshness_param_warn_or_skip_runs_on_stale_data(
    mode, dag, monkeypatch, conn_env, loader_dsn, schema, tmp_path, caplog
):
    raw, out = sample_without_its_last_day_of_watches(tmp_path), tmp_path / "out"
    run, tis = run_dag(
        dag, monkeypatch, conn_env, raw_path=str(raw), output_path=str(out),
        pg_schema=schema, freshness=mode,
    )  # fmt: skip
    assert run.state == "success"
    assert {task_id: ti.state for task_id, ti in tis.items()} == dict.fromkeys(
        ("freshness", "transform", "load"), "success"
    )
    assert table_rows(loader_dsn, schema) == parquet_rows(out / "user_reel_interest.parquet")
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    if mode == "warn":
        assert any(
            m.startswith("source freshness: clips.reel_watched newest event 2025-11-25T23:")
            for m in warnings
        ), warnings
    else:
        assert "source freshness not checked (param freshness='skip')" in warnings


FAKE_DBT = """#!{python}
import json, os, sys, time
args = sys.argv[1:]
target = args[args.index("--target-path") + 1]
print("fake dbt pid", os.getpid(), flush=True)
if os.environ.get("FAKE_DBT_SLEEP"):
    time.sleep(60)
os.makedirs(target)
results = [{{"unique_id": "test.loco_clips.assert_rejection_rate_within_limit", "status": "fail"}},
           {{"unique_id": "model.loco_clips.user_reel_interest", "status": "skipped"}}]
json.dump({{"results": results}}, open(os.path.join(target, "run_results.json"), "w"))
sys.exit(1)
"""


@pytest.fixture
def fake_dbt(tmp_path: Path, monkeypatch) -> Path:
    script = tmp_path / "dbt"
    script.write_text(FAKE_DBT.format(python=sys.executable))
    script.chmod(0o755)
    monkeypatch.setenv("LOCO_DBT_BIN", str(script))
    return script


@pytest.fixture(scope="module")
def dag_module():
    """The DAG file as a module, for its helper functions."""
    spec = importlib.util.spec_from_file_location("dag_file", REPO_ROOT / "dags" / f"{DAG_ID}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dbt_failure_names_the_failed_nodes(dag_module, fake_dbt, tmp_path):
    from airflow.sdk.exceptions import AirflowFailException

    with pytest.raises(AirflowFailException) as error:
        dag_module.run_dbt_build(tmp_path, tmp_path / "out")
    assert str(error.value) == (
        "dbt build failed with exit code 1: "
        "test.loco_clips.assert_rejection_rate_within_limit (fail)"
    )


def test_timeout_kills_the_dbt_process(dag_module, fake_dbt, tmp_path, monkeypatch, caplog):
    from airflow.sdk.exceptions import AirflowTaskTimeout
    from airflow.sdk.execution_time.timeout import timeout

    monkeypatch.setenv("FAKE_DBT_SLEEP", "1")
    started = time.monotonic()
    with pytest.raises(AirflowTaskTimeout), timeout(2):
        dag_module.run_dbt_build(tmp_path, tmp_path / "out")
    assert time.monotonic() - started < 10
    [pid] = [
        int(record.getMessage().split()[-1])
        for record in caplog.records
        if "fake dbt pid" in record.getMessage()
    ]
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
