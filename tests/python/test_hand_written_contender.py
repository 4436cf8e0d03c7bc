"""The benchmark's hand-written contender (benchmarks/hand_written.sql) applies the same rules:
on generated data with every kind of dirt the generator writes, its output equals the
independent Python reference (tests/python/reference.py). So when `make bench` finds the
project's output equal to the contender's, both are right, and the timing compares like with like.
"""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import reference
from helpers import REPO, run_generator


def test_the_contender_computes_the_reference_rows(tmp_path: Path) -> None:
    raw = tmp_path / "raw 'events'"  # a quote and a space: paths reach the script as variables
    run_generator(
        raw, "--events", "20000", "--dirt-rate", "0.1", "--seed", "11", "--days", "3",
        "--files-per-day", "2", "--format", "jsonl",
    )  # fmt: skip
    out = tmp_path / "out 'x'.parquet"
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "hand_written.py"), "--raw", str(raw),
         "--out", str(out)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    rows = duckdb.execute("select * from read_parquet(?)", [str(out)]).fetchall()
    actual = {(user, reel): tuple(rest) for user, reel, *rest in rows}
    expected = reference.compute(raw).interest
    assert len(rows) == len(actual) == len(expected)
    mismatches = {k: (actual.get(k), v) for k, v in expected.items() if actual.get(k) != v}
    assert not mismatches, list(mismatches.items())[:5]
    assert any(ratio is not None and ratio % Decimal("0.001") for *_, ratio, _ in actual.values())
