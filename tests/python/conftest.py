"""Shared fixtures: generated data sets and their dbt builds."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers import run_dbt_build, run_generator


@pytest.fixture(scope="session")
def dirty_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 events over 3 days, 8 % dirt, every file format, with cross-day duplicates."""
    raw = tmp_path_factory.mktemp("dirty") / "raw events"  # a space in the path, on purpose
    run_generator(
        raw, "--events", "20000", "--dirt-rate", "0.08", "--seed", "7", "--days", "3",
        "--files-per-day", "3", "--format", "mixed",
    )  # fmt: skip
    return raw


@pytest.fixture(scope="session")
def dirty_build(
    tmp_path_factory: pytest.TempPathFactory, dirty_dataset: Path
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The dbt build of the dirty data set into a folder that does not exist yet."""
    work = tmp_path_factory.mktemp("dirty_build")
    out = work / "not" / "there" / "yet"
    return run_dbt_build(work, dirty_dataset, out), out
