"""Running the project on one engine for the parity tests, and what a build left behind."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import DBT, PUBLISH, REPO

# The Spark version the dbt session reported (test_spark_runtime), for the suite's summary line.
SPARK_VERSION = pytest.StashKey[str]()


def expected_spark_version() -> str:
    """The Spark this venv is meant to run: LOCO_EXPECTED_SPARK_VERSION (`make test-spark`
    sets it from the venv's constraints file), else the pyspark pin of constraints-spark.txt."""
    if version := os.environ.get("LOCO_EXPECTED_SPARK_VERSION"):
        return version
    pins = re.findall(r"^pyspark==(\S+)$", (REPO / "constraints-spark.txt").read_text(), re.M)
    (version,) = pins
    return version


@dataclass(frozen=True)
class Build:
    """One `dbt build` of the project: its process, its folders and what dbt recorded."""

    engine: str
    process: subprocess.CompletedProcess[str]
    work: Path
    out: Path
    # A Spark build stages its outputs and `loco-clips-publish` publishes them (README): what
    # the output folder held between the two, and the publish step's process.
    staged: tuple[str, ...] = ()
    publish: subprocess.CompletedProcess[str] | None = None

    @property
    def cwd(self) -> Path:
        return self.work / "cwd"

    def run_results(self) -> dict:
        return json.loads((self.work / "target" / "run_results.json").read_text())

    def manifest(self) -> dict:
        return json.loads((self.work / "target" / "manifest.json").read_text())


def run_dbt(
    engine: str, work: Path, raw: Path, out: Path, *args: str, **extra_vars: object
) -> Build:
    """`dbt <args> --target <engine> --vars '{raw_path: …, output_path: …, **extra_vars}'`.

    It runs from an empty working directory of its own (so the test can check that nothing lands
    there); the DuckDB file, dbt's target and log folders and Spark's folder go under ``work``.
    A Spark `dbt build` that passed is then published as the README says, by
    `loco-clips-publish <output_path>` (the invocation id from dbt's run_results.json).
    Never call it for two Spark builds at once: the Derby metastore admits one process.
    """
    (work / "cwd").mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO),
        "DBT_PROJECT_DIR": str(REPO),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_DUCKDB_PATH": str(work / "loco_clips.duckdb"),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "DBT_SPARK_DIR": str(work / "spark"),
    }
    variables = json.dumps({"raw_path": str(raw), "output_path": str(out), **extra_vars})
    process = subprocess.run(
        [str(DBT), *args, "--target", engine, "--vars", variables],
        cwd=work / "cwd",
        env=env,
        capture_output=True,
        text=True,
        timeout=2400,  # a loaded 2-core machine has taken 15 min for one Spark build
    )
    if engine != "spark" or args[:1] != ("build",) or process.returncode != 0:
        return Build(engine, process, work, out)
    staged = tuple(sorted(str(path.relative_to(out)) for path in out.rglob("*")))
    publish = subprocess.run(
        [str(PUBLISH), str(out)], cwd=work / "cwd", env=env, capture_output=True, text=True
    )
    return Build(engine, process, work, out, staged, publish)
