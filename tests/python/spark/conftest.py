"""Fixtures of the Spark parity tests: one dirty data set, built once on DuckDB and once on Spark.

These tests need the optional `spark` group (`make setup-spark`) and Java on PATH; without them
the run stops at once with what is missing (a suite that cannot run fails, it is never skipped).
`make test-spark` runs them; `make test-python` leaves them out.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
from helpers import run_generator
from spark_builds import SPARK_VERSION, Build, expected_spark_version, run_dbt


def pytest_report_header(config: pytest.Config) -> str:
    try:
        installed = importlib.metadata.version("pyspark")
    except importlib.metadata.PackageNotFoundError:
        installed = "not installed"
    return f"spark: pyspark {installed} in {sys.prefix} (expected {expected_spark_version()})"


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    ran_on = config.stash.get(SPARK_VERSION, None)
    terminalreporter.write_line(
        f"Spark suite: dbt's Spark session ran Spark {ran_on}"
        if ran_on
        else "Spark suite: no dbt Spark session reported its version"
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "spark: runs dbt on a local Spark session (make test-spark)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    missing = [
        reason
        for reason, absent in (
            (
                "pyspark is not installed (make setup-spark)",
                importlib.util.find_spec("pyspark") is None,
            ),
            ("java is not on PATH", shutil.which("java") is None),
        )
        if absent
    ]
    if missing and any("spark" in item.keywords for item in items):
        raise pytest.UsageError(f"the Spark suite cannot run: {'; '.join(missing)}")


@pytest.fixture(scope="session")
def dirty_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 events, 5 % dirt, every file format. The path and some file names hold quotes,
    spaces and glob characters, on purpose: each file is read once, literally, on both engines."""
    raw = tmp_path_factory.mktemp("spark_parity") / "raw events it's [1]"
    run_generator(
        raw, "--events", "3000", "--dirt-rate", "0.05", "--seed", "1", "--format", "mixed",
    )  # fmt: skip
    day = sorted((raw / "reel_liked").iterdir())[0]
    source = sorted(day.glob("*.jsonl"))[0]
    for name in ("it's [1].jsonl", "*.jsonl", "a{b,c}.jsonl", "q?.jsonl", "x']); --.jsonl"):
        shutil.copyfile(source, day / name)
    return raw


@pytest.fixture(scope="session")
def duckdb_build(tmp_path_factory: pytest.TempPathFactory, dirty_raw: Path) -> Build:
    work = tmp_path_factory.mktemp("duckdb_build")
    return run_dbt("duckdb", work, dirty_raw, work / "out", "build")


@pytest.fixture(scope="session")
def spark_build(tmp_path_factory: pytest.TempPathFactory, dirty_raw: Path) -> Build:
    work = tmp_path_factory.mktemp("spark_build")
    return run_dbt("spark", work, dirty_raw, work / "out", "build")
