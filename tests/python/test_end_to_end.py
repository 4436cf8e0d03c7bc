"""The whole dbt project on generated dirty data, driven as other jobs drive it, checked against
an independent Python implementation of the rules (tests/python/reference.py)."""

from __future__ import annotations

import subprocess
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import reference
from helpers import run_dbt_build, run_generator

Build = tuple[subprocess.CompletedProcess[str], Path]


def _rows(parquet: Path, query: str) -> list[tuple]:
    return duckdb.sql(query.format(file=f"read_parquet('{parquet}')")).fetchall()


def test_dirty_input_builds_with_exit_0(dirty_build: Build) -> None:
    result, out = dirty_build
    assert result.returncode == 0, result.stdout[-3000:]
    assert (out / "user_reel_interest.parquet").is_file()
    assert (out / "rejected_events.parquet").is_file()


def test_user_reel_interest_equals_the_reference(dirty_dataset: Path, dirty_build: Build) -> None:
    _, out = dirty_build
    expected = reference.compute(dirty_dataset).interest
    actual = {
        (user, reel): (liked, unliked, ratio, interested)
        for user, reel, liked, unliked, ratio, interested in _rows(
            out / "user_reel_interest.parquet", "select * from {file}"
        )
    }
    assert len(actual) == len(expected)
    mismatches = {k: (actual.get(k), v) for k, v in expected.items() if actual.get(k) != v}
    assert not mismatches, list(mismatches.items())[:5]
    # The data is realistic: every kind of row is there.
    assert any(liked for liked, *_ in actual.values())
    assert any(unliked for _, unliked, *_ in actual.values())
    assert any(ratio is None for *_, ratio, _ in actual.values())
    assert any(ratio is not None and ratio > 1 for *_, ratio, _ in actual.values())


def test_rejected_events_and_counts_equal_the_reference(
    dirty_dataset: Path, dirty_build: Build
) -> None:
    _, out = dirty_build
    expected = reference.compute(dirty_dataset)
    rejected = Counter(
        dict(
            ((event_type, reason), n)
            for event_type, reason, n in _rows(
                out / "rejected_events.parquet",
                "select event_type, reason_code, count(*) from {file} group by all",
            )
        )
    )
    assert rejected == expected.reasons
    assert len(expected.reasons) >= 12  # the generator produced every kind of dirt
    for counts in expected.outcomes.values():
        assert counts["lines_read"] == counts["used"] + counts["duplicates"] + counts["rejected"]
    assert sum(c["duplicates"] for c in expected.outcomes.values()) > 0


def test_rejected_events_carry_the_date_of_their_dt_folder(dirty_build: Build) -> None:
    """event_date, the last column, typed date, is the day of the file's dt= folder."""
    _, out = dirty_build
    parquet = out / "rejected_events.parquet"
    schema = _rows(parquet, "select column_name, column_type from (describe select * from {file})")
    assert schema[-1] == ("event_date", "DATE")
    rows = _rows(parquet, "select source_file, event_date from {file}")
    assert rows
    for source_file, event_date in rows:
        folder = Path(source_file).parent.name
        assert folder.startswith("dt="), source_file
        assert event_date == date.fromisoformat(folder.removeprefix("dt=")), source_file


def test_rejected_events_keep_the_file_and_the_record(dirty_build: Build) -> None:
    _, out = dirty_build
    rows = _rows(
        out / "rejected_events.parquet",
        "select reason_code, source_file, raw_record from {file}",
    )
    assert all(Path(source).is_file() for _, source, _ in rows)
    malformed = [raw for reason, _, raw in rows if reason == "malformed_json"]
    assert malformed and all(raw.startswith(("{", "\ufeff{")) for raw in malformed)
    parsed = [raw for reason, _, raw in rows if reason == "invalid_app_version"]
    assert parsed and all('"origin_platform":"android"' in raw for raw in parsed)


def test_parquet_schema_is_the_contract(dirty_build: Build) -> None:
    _, out = dirty_build
    schema = _rows(out / "user_reel_interest.parquet", "describe select * from {file}")
    assert [(name, kind) for name, kind, *_ in schema] == [
        ("user_uid", "VARCHAR"),
        ("reel_uid", "VARCHAR"),
        ("liked", "BOOLEAN"),
        ("unliked", "BOOLEAN"),
        ("watched_ratio", "DECIMAL(38,9)"),
        ("is_interested", "BOOLEAN"),
    ]


def test_exactly_six_tenths_is_not_interested(tmp_path: Path) -> None:
    """0.7 + 4.4 + 0.9 s of a 10 s clip, from JSON to Parquet: exactly 0.6, not interested."""
    folder = tmp_path / "raw" / "reel_watched" / "dt=2025-11-24"
    folder.mkdir(parents=True)
    lines = [
        f'{{"user_uid": "u", "reel_uid": "r", "origin_platform": "ios", "app_version": "1",'
        f' "reel_duration": 10, "reel_watch_duration": {watched}, "timestamp": {i}}}'
        for i, watched in enumerate(("0.7", "4.4", '"0.9"'))
    ]
    (folder / "part-0.jsonl").write_text("\n".join(lines) + "\n")
    result = run_dbt_build(tmp_path, tmp_path / "raw", tmp_path / "out")
    assert result.returncode == 0, result.stdout[-3000:]
    rows = _rows(tmp_path / "out" / "user_reel_interest.parquet", "select * from {file}")
    assert rows == [("u", "r", False, False, Decimal("0.600000000"), False)]


def test_missing_input_folder_fails_with_a_clear_error(tmp_path: Path) -> None:
    result = run_dbt_build(tmp_path, tmp_path / "no such folder", tmp_path / "out")
    assert result.returncode != 0
    assert "No input files" in result.stdout
    assert not (tmp_path / "out").exists()


def test_rejection_rate_guard_fails_the_build_and_exports_nothing(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    run_generator(raw, "--events", "3000", "--dirt-rate", "0.35", "--seed", "5")
    result = run_dbt_build(tmp_path, raw, tmp_path / "out")
    assert result.returncode != 0
    assert "assert_rejection_rate_within_limit" in result.stdout
    assert not list((tmp_path / "out").glob("*.parquet"))

    relaxed = run_dbt_build(tmp_path, raw, tmp_path / "out", max_rejection_rate=0.5)
    assert relaxed.returncode == 0, relaxed.stdout[-3000:]
    assert (tmp_path / "out" / "user_reel_interest.parquet").is_file()


@pytest.mark.parametrize("dirt_rate", ["0"])
def test_clean_input_rejects_nothing_and_exports_an_empty_rejects_file(
    tmp_path: Path, dirt_rate: str
) -> None:
    raw = tmp_path / "raw"
    run_generator(raw, "--events", "2000", "--dirt-rate", dirt_rate, "--seed", "9")
    result = run_dbt_build(tmp_path, raw, tmp_path / "out")
    assert result.returncode == 0, result.stdout[-3000:]
    count = _rows(tmp_path / "out" / "rejected_events.parquet", "select count(*) from {file}")
    assert count == [(0,)]
    expected = reference.compute(raw)
    assert sum(c["rejected"] for c in expected.outcomes.values()) == 0


def test_unparsable_lines_are_kept_with_their_text_and_reason(tmp_path: Path) -> None:
    """Lines that are not events, in every shape, each kept once with why."""
    folder = tmp_path / "raw" / "reel_liked" / "dt=2025-11-24"
    folder.mkdir(parents=True)
    good = '{"user_uid": "u", "reel_uid": "r", "timestamp": 1}'
    lines = {
        good: None,
        '{"user_uid": "u", "reel_uid": "r", "timest': "malformed_json",
        '{"user_uid": "u", "reel_uid": "r",, "timestamp": 2}': "malformed_json",
        '{"user_uid": "u"}}': "malformed_json",
        "[1, 2]": "not_a_json_object",
        "42": "not_a_json_object",
        "{}": "missing_user_uid",
        '{"unknown": 1}': "missing_user_uid",
        '{"user_uid": "u", "reel_uid": "r", "timestamp": 1.5}': "invalid_timestamp",
    }
    text = "\r\n".join(lines) + "\r\n   \n\n"  # CRLF endings and blank lines
    (folder / "part-0.jsonl").write_text(text)
    result = run_dbt_build(tmp_path, tmp_path / "raw", tmp_path / "out", max_rejection_rate=1)
    assert result.returncode == 0, result.stdout[-3000:]
    rejected = _rows(
        tmp_path / "out" / "rejected_events.parquet",
        "select reason_code, raw_record from {file}",
    )
    unparsed = {
        raw.rstrip("\r"): reason for reason, raw in rejected if reason != "invalid_timestamp"
    }
    assert unparsed == {
        line: reason for line, reason in lines.items() if reason and "1.5" not in line
    }
    assert sorted(reason for reason, _ in rejected) == sorted(r for r in lines.values() if r)
