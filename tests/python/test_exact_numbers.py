"""Exact numbers, as sent: JSON files through a real `dbt build` to the Parquet files.

One small raw folder holds every case (one build, shared by the tests): durations with 7 and 18
decimals, a negative duration that rounds to 0 at 6 places, integer-valued floats as timestamps,
64-bit replay counts, and an android < 2.3.0 event whose reel_duration * replay_count overflows
every SQL decimal type (the build used to abort on it).
"""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import reference
from helpers import run_dbt_build

WATCHED = [
    # 6.0000004 s of a 10 s clip: more than 0.6, interested (6 places made it exactly 0.6).
    '{"user_uid": "seven_places", "reel_uid": "r", "origin_platform": "ios", "app_version": "1",'
    ' "reel_duration": 10, "reel_watch_duration": 6.0000004}',
    # 18 decimals, sent as a string (a JSON number that long would lose digits in the reader).
    '{"user_uid": "eighteen_places", "reel_uid": "r", "origin_platform": "ios", "app_version": "1",'
    ' "reel_duration": "10", "reel_watch_duration": "6.000000000000000001"}',
    # Negative: the reader renders it -1e-07; 6 places would have made it 0 and accepted it.
    '{"user_uid": "negative_tiny", "reel_uid": "r", "origin_platform": "ios", "app_version": "1",'
    ' "reel_duration": 10, "reel_watch_duration": -0.0000001}',
    # 3,000,000,000 loops of an old android client: past 32 bits, and an exact product.
    '{"user_uid": "three_billion_loops", "reel_uid": "r", "origin_platform": "android",'
    ' "app_version": "2.2", "reel_duration": 0.001, "reel_watch_duration": 0.5,'
    ' "replay_count": 3000000000}',
    # reel_duration * replay_count overflows DECIMAL(38): value_out_of_range, the build goes on;
    # the same pair's other, valid event still counts.
    '{"user_uid": "overflow", "reel_uid": "r", "origin_platform": "android", "app_version": "2.2",'
    ' "reel_duration": 999999999999, "reel_watch_duration": 1,'
    ' "replay_count": 9223372036854775807}',
    '{"user_uid": "overflow", "reel_uid": "r", "origin_platform": "android", "app_version": "2.2",'
    ' "reel_duration": 10, "reel_watch_duration": 7, "replay_count": 0}',
]
LIKED = [
    # 1e3 arrives as 1000.0: an integer, later than the unlike at 999, so the like is final.
    '{"user_uid": "exponent_like", "reel_uid": "r", "timestamp": 1e3}',
    # 100.0 is 100: earlier than the unlike at 101, so the unlike is final.
    '{"user_uid": "float_like", "reel_uid": "r", "timestamp": 100.0}',
    '{"user_uid": "fraction", "reel_uid": "r", "timestamp": 1.5}',
    '{"user_uid": "too_large", "reel_uid": "r", "timestamp": 1e30}',
    '{"user_uid": "past_int64", "reel_uid": "r", "timestamp": 9223372036854775808}',
]
UNLIKED = [
    '{"user_uid": "exponent_like", "reel_uid": "r", "timestamp": 999}',
    '{"user_uid": "float_like", "reel_uid": "r", "timestamp": 101}',
]


def _parquet(path: Path, query: str) -> list[tuple]:
    with duckdb.connect() as connection:
        connection.read_parquet(str(path)).create_view("data")
        return connection.execute(query).fetchall()


@pytest.fixture(scope="module")
def numbers_build(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    work = tmp_path_factory.mktemp("exact_numbers")
    raw = work / "raw"
    for event_type, lines in (
        ("reel_watched", WATCHED),
        ("reel_liked", LIKED),
        ("reel_unliked", UNLIKED),
    ):
        folder = raw / event_type / "dt=2025-11-24"
        folder.mkdir(parents=True)
        (folder / "part-0.jsonl").write_text("".join(line + "\n" for line in lines))
    result = run_dbt_build(work, raw, work / "out", max_rejection_rate=1)
    return result, raw, work / "out"


def _interest(out: Path) -> dict[str, tuple]:
    rows = _parquet(out / "user_reel_interest.parquet", "select * from data")
    return {
        user: (liked, unliked, ratio, interested)
        for user, _, liked, unliked, ratio, interested in rows
    }


def _reasons(out: Path) -> dict[str, str]:
    rows = _parquet(out / "rejected_events.parquet", "select raw_record, reason_code from data")
    return {json.loads(raw)["user_uid"]: reason for raw, reason in rows}


def test_an_overflowing_android_event_does_not_abort_the_build(numbers_build) -> None:
    result, _, out = numbers_build
    assert result.returncode == 0, result.stdout[-3000:]
    assert _reasons(out)["overflow"] == "value_out_of_range"
    # The pair's valid event is still used: 7 s of a 10 s clip.
    assert _interest(out)["overflow"] == (False, False, Decimal("0.700000000"), True)


def test_durations_keep_every_decimal_they_were_sent_with(numbers_build) -> None:
    _, _, out = numbers_build
    interest = _interest(out)
    assert interest["seven_places"] == (False, False, Decimal("0.600000040"), True)
    # 6.000000000000000001 of 10 s: the ratio rounds to 0.6, the exact compare says interested.
    assert interest["eighteen_places"] == (False, False, Decimal("0.600000000"), True)
    assert _reasons(out)["negative_tiny"] == "invalid_reel_watch_duration"
    # 0.001 s * 3,000,000,000 + 0.5 s = 3,000,000.5 s, exact.
    assert interest["three_billion_loops"][2] == Decimal("3000000500.000000000")


def test_integer_valued_timestamps_order_the_final_action(numbers_build) -> None:
    _, _, out = numbers_build
    interest = _interest(out)
    assert interest["exponent_like"][:2] == (True, False)
    assert interest["float_like"][:2] == (False, True)
    reasons = _reasons(out)
    for user in ("fraction", "too_large", "past_int64"):
        assert reasons[user] == "invalid_timestamp", user


def test_the_reference_agrees(numbers_build) -> None:
    _, raw, out = numbers_build
    expected = reference.compute(raw)
    assert {user: value for (user, _), value in expected.interest.items()} == _interest(out)
    assert sum(expected.reasons.values()) == len(_reasons(out))
    assert dict(expected.reasons) == {
        (event_type, reason): n
        for event_type, reason, n in _parquet(
            out / "rejected_events.parquet",
            "select event_type, reason_code, count(*) from data group by all",
        )
    }
