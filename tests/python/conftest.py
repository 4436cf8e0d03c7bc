"""Shared fixtures: generated data sets and their dbt builds."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import run_dbt_build, run_generator
from s3_server import S3Server, start_s3_server


@pytest.fixture(scope="session")
def dirty_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 events over 3 days, 8 % dirt, every file format, with cross-day duplicates, plus
    the lines no generator writes: bytes that are not UTF-8, form feeds, stray CRs, NUL bytes,
    control characters, and a file with CR-only line endings."""
    raw = tmp_path_factory.mktemp("dirty") / "raw events"  # a space in the path, on purpose
    run_generator(
        raw, "--events", "20000", "--dirt-rate", "0.08", "--seed", "7", "--days", "3",
        "--files-per-day", "3", "--format", "mixed",
    )  # fmt: skip
    like = b'{"user_uid": "hostile %d", "reel_uid": "r", "timestamp": %d}'
    hostile = [
        b'{"user_uid": "bad \xff byte", "reel_uid": "r", "timestamp": 1}',
        like % (1, 1) + b"\f",
        b"\v" + like % (2, 2),
        like % (3, 3) + b"\r" + like % (4, 4),
        like % (5, 5) + b"\x00",
        b'{"user_uid": "control \x01 char", "reel_uid": "r", "timestamp": 6}',
        b"\xef\xbb\xbf" + like % (7, 7),
    ]
    day = sorted((raw / "reel_liked").iterdir())[0]
    with next(day.glob("*.jsonl")).open("ab") as handle:
        handle.write(b"\r\n".join(hostile) + b"\r\n")
    (day / "cr-only.jsonl").write_bytes(b"\r".join(like % (8 + i, i) for i in range(3)) + b"\r")
    return raw


@pytest.fixture(scope="session")
def dirty_build(
    tmp_path_factory: pytest.TempPathFactory, dirty_dataset: Path
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The dbt build of the dirty data set into a folder that does not exist yet."""
    work = tmp_path_factory.mktemp("dirty_build")
    out = work / "not" / "there" / "yet"
    return run_dbt_build(work, dirty_dataset, out), out


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A real S3 API server (moto) on 127.0.0.1, for the S3 and Airflow S3 tests."""
    server = start_s3_server(tmp_path_factory.mktemp("s3_server"))
    try:
        yield server
    finally:
        server.stop()
