"""`dbt source freshness` on the raw files: a day whose events never landed fails, naming the
source and its age; fresh data passes against the real clock; late data warns."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import DBT, REPO, run_generator

DAY_MS = 86_400_000


def run_freshness(work: Path, raw: Path, **extra_vars: object) -> subprocess.CompletedProcess[str]:
    """`dbt source freshness --vars '{raw_path: …}'` from the repo root, its files under work."""
    env = {
        **os.environ,
        "DBT_DUCKDB_PATH": str(work / "loco_clips.duckdb"),
        "DBT_PROFILES_DIR": str(REPO),
        "DBT_PROJECT_DIR": str(REPO),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "DBT_USE_COLORS": "false",
    }
    variables = json.dumps({"raw_path": str(raw), **extra_vars})
    return subprocess.run(
        [str(DBT), "source", "freshness", "--vars", variables],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )


def statuses(work: Path) -> dict[str, str]:
    results = json.loads((work / "target" / "sources.json").read_text())["results"]
    return {result["unique_id"].rsplit(".", 1)[1]: result["status"] for result in results}


def server_timestamps(folder: Path, reference: datetime) -> list[int]:
    """The server_timestamps of a folder's files as the project reads them: integers (digits,
    quoted or not, or integer-valued floats) from 0 up to the reference time."""
    values = []
    for path in folder.iterdir():
        with gzip.open(path, "rt") if path.suffix == ".gz" else path.open() as lines:
            for line in lines:
                try:
                    value = json.loads(line).get("server_timestamp")
                except (ValueError, AttributeError):
                    continue
                integral_float = isinstance(value, float) and value.is_integer()
                if integral_float or (isinstance(value, str) and value.isdigit()):
                    value = int(value)
                if type(value) is int and 0 <= value <= reference.timestamp() * 1000:
                    values.append(value)
    return values


def source_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The project's own lines about late or stale sources, without dbt's timestamp prefix."""
    return [
        line.split("  ", 1)[-1] for line in result.stdout.splitlines() if "  Source clips." in line
    ]


@pytest.fixture(scope="module")
def three_days(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three days of events, 2025-11-24 to 2025-11-26, with a little dirt."""
    raw = tmp_path_factory.mktemp("three_days") / "raw"
    run_generator(raw, "--events", "1500", "--dirt-rate", "0.05", "--days", "3", "--seed", "3")
    return raw


def test_a_day_that_never_landed_fails_naming_the_source_and_its_age(
    three_days: Path, tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(three_days, raw)
    shutil.rmtree(raw / "reel_watched" / "dt=2025-11-26")  # the last day of watches never landed
    reference = datetime(2025, 11, 27, 1, tzinfo=UTC)
    newest = datetime.fromtimestamp(
        max(server_timestamps(raw / "reel_watched" / "dt=2025-11-25", reference)) / 1000, UTC
    )
    out = tmp_path / "out"

    result = run_freshness(
        tmp_path, raw, freshness_reference_time="2025-11-27T01:00:00Z", output_path=str(out)
    )

    assert result.returncode == 1, result.stdout[-3000:]
    assert statuses(tmp_path) == {
        "reel_watched": "error",
        "reel_liked": "pass",
        "reel_unliked": "pass",
    }
    minutes = int((reference - newest).total_seconds()) // 60
    assert 24 * 60 <= minutes < 48 * 60
    assert source_lines(result) == [
        "Source clips.reel_watched is stale (error after 24 hours): newest server_timestamp "
        f"{newest:%Y-%m-%d %H:%M:%S} UTC, 1 day {minutes // 60 - 24} h {minutes % 60} min old "
        "at 2025-11-27 01:00:00 UTC."
    ]
    assert not out.exists(), "freshness publishes nothing"


def test_fresh_data_passes_against_the_clock(tmp_path: Path) -> None:
    """No reference time: yesterday's events are fresh against the clock, at any hour of today.

    Only yesterday: a folder for today holds events spread over the whole day, so just after
    midnight UTC all of them are still in the future, ignored, and the day looks stale (this
    failed at 00:11 UTC). Yesterday's newest event is under 48 hours old at any time today.
    """
    raw = tmp_path / "raw"
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    run_generator(raw, "--events", "600", "--days", "1", "--start-date", yesterday, "--seed", "5")

    result = run_freshness(
        tmp_path, raw, freshness_warn_after_hours=48, freshness_error_after_hours=72
    )

    assert result.returncode == 0, result.stdout[-3000:]
    assert set(statuses(tmp_path).values()) == {"pass"}
    assert source_lines(result) == []


def test_late_data_warns_and_does_not_fail(three_days: Path, tmp_path: Path) -> None:
    result = run_freshness(
        tmp_path, three_days, freshness_reference_time="2025-11-27T14:00:00+01:00"
    )

    assert result.returncode == 0, result.stdout[-3000:]
    assert set(statuses(tmp_path).values()) == {"warn"}
    lines = source_lines(result)
    assert len(lines) == 3
    assert all(
        " is late (warn after 12 hours): newest server_timestamp 2025-11-26 " in line
        for line in lines
    )
    assert all(line.endswith(" old at 2025-11-27 13:00:00 UTC.") for line in lines)


def _write(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines))


def test_only_the_newest_day_counts_and_bad_values_never_make_a_source_fresh(
    tmp_path: Path,
) -> None:
    """reel_watched: its newest dt= day is read (an older day's corrupt file is not), with a file
    outside any dt= folder; numbers as strings and floats count, a server_timestamp after the
    reference time, malformed lines and non-integers do not. reel_liked: flat files, no dt=
    folder. reel_unliked: no file at all."""
    raw = tmp_path / "raw"
    reference = datetime(2025, 11, 27, 1, tzinfo=UTC)
    ref_ms = int(reference.timestamp() * 1000)

    def event(server_timestamp: object) -> str:
        return json.dumps({"user_uid": "u", "reel_uid": "r", "server_timestamp": server_timestamp})

    watched = raw / "reel_watched"
    (watched / "dt=2025-11-20").mkdir(parents=True)
    (watched / "dt=2025-11-20" / "part-00000.jsonl.gz").write_bytes(b"not gzip at all")
    _write(
        watched / "dt=2025-11-26" / "it's [1] a; name.jsonl",
        [
            event(str(ref_ms - 30 * 3_600_000)),  # 30 h old, as a string
            event(float(ref_ms - 29 * 3_600_000)),  # 29 h old, as a float
            event(ref_ms + 3_600_000),  # an hour in the future: ignored
            event(9_223_372_036_854_775_807),  # far future: ignored
            event(ref_ms - 1.5),  # not an integer: ignored
            event("soon"),
            "{not json",
            "",
        ],
    )
    _write(watched / "dt=2025-11-26" / "part-00001.jsonl", [event(None), "[1, 2]"])
    _write(watched / "late.jsonl", [event(ref_ms - 27 * 3_600_000)])  # 27 h: the newest counted
    _write(raw / "reel_liked" / "part-00000.jsonl", [event(ref_ms - 2 * 3_600_000)])
    _write(raw / "reel_liked" / "old" / "part-00000.jsonl", [event(ref_ms - 5 * DAY_MS)])
    (raw / "reel_unliked").mkdir()

    result = run_freshness(tmp_path, raw, freshness_reference_time=reference.isoformat())

    assert result.returncode == 1, result.stdout[-3000:]
    assert statuses(tmp_path) == {
        "reel_watched": "error",
        "reel_liked": "pass",
        "reel_unliked": "error",
    }
    assert source_lines(result) == [
        "Source clips.reel_unliked is stale (error after 24 hours): newest server_timestamp "
        "none (no file, or no valid server_timestamp) at 2025-11-27 01:00:00 UTC.",
        "Source clips.reel_watched is stale (error after 24 hours): newest server_timestamp "
        "2025-11-25 22:00:00 UTC, 1 day 3 h 0 min old at 2025-11-27 01:00:00 UTC.",
    ]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"freshness_error_after_hours": "a day"},
            "Invalid var freshness_error_after_hours: it must be a whole number of hours from 1 "
            'up, got "a day".',
        ),
        (
            {"freshness_reference_time": "2025-11-27 01:00"},
            "Invalid var freshness_reference_time: it must be an ISO 8601 time with its UTC offset "
            '(2025-11-27T01:00:00Z), got "2025-11-27 01:00".',
        ),
    ],
)
def test_a_bad_freshness_var_stops_with_one_line(
    three_days: Path, tmp_path: Path, variables: dict[str, str], message: str
) -> None:
    result = run_freshness(tmp_path, three_days, **variables)
    assert result.returncode != 0
    assert message in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
