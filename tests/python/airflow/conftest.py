"""Fixtures for the Airflow workflow tests: a real PostgreSQL server and an Airflow home.

Airflow reads its configuration when it is first imported, so the environment is set here, at
collection time, before any test module imports Airflow. Everything lands in temporary folders:
the tests never touch ~/airflow, nor the repository's target/ or output/.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="loco_airflow_home_"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(_AIRFLOW_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        # Keep the failure tests fast: two retries, waiting only Airflow's 1-2 s floor.
        "LOCO_LOAD_RETRIES": "2",
        "LOCO_LOAD_RETRY_DELAY_SECONDS": "0",
        # The DAG's DuckDB state files (one per raw_path), never the repository's state/.
        "LOCO_STATE_DIR": str(_AIRFLOW_HOME / "state"),
        # The bundled sample and the generator's default days end on 2025-11-26: the DAG's
        # freshness check measures ages from an hour after that day, not from the clock.
        "LOCO_FRESHNESS_REFERENCE_TIME": "2025-11-27T01:00:00Z",
    }
)


def pytest_sessionfinish() -> None:
    shutil.rmtree(_AIRFLOW_HOME, ignore_errors=True)


if importlib.util.find_spec("airflow") is None or importlib.util.find_spec("psycopg") is None:
    # Only `make setup` was run; `make test-airflow` installs Airflow first.
    collect_ignore_glob = ["test_*.py"]
else:
    import psycopg
    from airflow_support import (
        DATABASE,
        LOADER,
        LOADER_PASSWORD,
        READER,
        READER_PASSWORD,
        PostgresServer,
        find_postgres_bin,
        free_port,
    )
    from psycopg import sql


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server with a database ``loco`` owned by the loader role."""
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        pytest.fail("PostgreSQL is not installed (apt-get install postgresql): these tests need it")
    server = PostgresServer(bin_dir, Path(tempfile.mkdtemp(prefix="loco_pg_")), free_port())
    server.init()
    server.start()
    try:
        server.psql(
            "-c", f"create role {LOADER} login password '{LOADER_PASSWORD}'",
            "-c", f"create database {DATABASE} owner {LOADER}",
        )  # fmt: skip
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.base, ignore_errors=True)


@pytest.fixture(scope="session")
def loader_dsn(postgres: PostgresServer) -> str:
    return postgres.dsn(LOADER, LOADER_PASSWORD)


@pytest.fixture(scope="session")
def readonly_role(postgres: PostgresServer) -> str:
    """The read-only role, created with the documented script; returns its DSN."""
    postgres.psql(
        "-v", f"reader={READER}",
        "-v", f"reader_password={READER_PASSWORD}",
        "-v", f"loader={LOADER}",
        "-v", "schema=public",
        "-f", str(REPO_ROOT / "sql" / "postgres" / "create_readonly_role.sql"),
        database=DATABASE,
    )  # fmt: skip
    return postgres.dsn(READER, READER_PASSWORD)


@pytest.fixture
def schema(loader_dsn: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A schema of its own for one test, owned by the loader, dropped afterwards."""
    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:50]
    with psycopg.connect(loader_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("create schema {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(loader_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def airflow_home() -> Path:
    """A migrated Airflow metadata database (SQLite) in the temporary AIRFLOW_HOME."""
    airflow = Path(sys.executable).parent / "airflow"
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True)
    return _AIRFLOW_HOME
