"""The user_reel_interest DAG end to end with ``s3://`` params: raw events in one bucket, outputs
in another, on a local S3 API server (moto) the test starts; the load task reads the published
Parquet file from S3 into the suite's PostgreSQL server."""

from __future__ import annotations

import json
from collections.abc import Iterator
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
from s3_server import S3Server

from loco_clips import s3


@pytest.fixture
def aws_environment(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The server's AWS variables for the DAG's tasks and their dbt process."""
    for name, value in s3_server.environment().items():
        monkeypatch.setenv(name, value)
    s3.filesystem.cache_clear()  # the load task runs in this process: read the chain again
    yield
    s3.filesystem.cache_clear()


def test_dag_builds_from_s3_publishes_to_s3_and_loads_from_s3(
    airflow_home: Path,
    postgres: PostgresServer,
    loader_dsn: str,
    schema: str,
    s3_server: S3Server,
    aws_environment: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(REPO_ROOT / "dags")).get_dag(DAG_ID)
    client = s3_server.client()
    client.create_bucket(Bucket="loco-dag-raw")
    client.create_bucket(Bucket="loco-dag-out")
    s3_server.upload_folder(SAMPLE_RAW, "loco-dag-raw", "landing")
    monkeypatch.setenv("AIRFLOW_CONN_LOCO_POSTGRES", postgres.airflow_uri(LOADER, LOADER_PASSWORD))

    run = dag.test(
        run_conf={
            "raw_path": "s3://loco-dag-raw/landing",
            "output_path": "s3://loco-dag-out/interest",
            "pg_schema": schema,
        }
    )
    tis = {ti.task_id: ti for ti in run.get_task_instances()}
    assert run.state == "success", {task: ti.state for task, ti in tis.items()}

    pointer = json.loads(
        client.get_object(Bucket="loco-dag-out", Key="interest/_latest.json")["Body"].read()
    )
    run_file = pointer["files"]["user_reel_interest.parquet"]
    local = tmp_path / "user_reel_interest.parquet"
    bucket, key = s3.split(run_file)
    client.download_file(bucket, key, str(local))
    expected = parquet_rows(local)
    assert len(expected) > 100
    assert table_rows(loader_dsn, schema) == expected
