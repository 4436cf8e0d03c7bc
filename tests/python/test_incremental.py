"""Incremental runs: loading the days one by one gives exactly what one full refresh gives."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
from helpers import run_dbt_build, run_generator

EVENT_TYPES = ("reel_watched", "reel_liked", "reel_unliked")


def _outputs(out: Path, raw: Path) -> tuple[list[tuple], list[tuple]]:
    interest = duckdb.sql(
        f"select * from read_parquet('{out}/user_reel_interest.parquet') order by all"
    ).fetchall()
    rejected = duckdb.sql(
        f"select event_type, replace(source_file, '{raw}/', ''), reason_code, raw_record "
        f"from read_parquet('{out}/rejected_events.parquet') order by all"
    ).fetchall()
    return interest, rejected


def test_day_by_day_incremental_equals_full_refresh(tmp_path: Path) -> None:
    generated = tmp_path / "generated"
    run_generator(
        generated, "--events", "8000", "--dirt-rate", "0.1", "--seed", "11", "--days", "3",
        "--files-per-day", "2", "--format", "mixed",
    )  # fmt: skip
    days = sorted(p.name for p in (generated / "reel_watched").iterdir())
    landing, work, out = tmp_path / "landing", tmp_path / "incremental", tmp_path / "out"
    # 10 % dirt, nearly all of it rejected: one day can exceed the default 10 % gate by chance.
    gate = {"max_rejection_rate": 0.2}

    for number, day in enumerate(days, start=1):
        for event_type in EVENT_TYPES:
            shutil.copytree(generated / event_type / day, landing / event_type / day)
        result = run_dbt_build(work, landing, out, **gate)
        assert result.returncode == 0, result.stdout[-3000:]
        if number > 1:  # only the new day's two files are parsed
            assert f"reel_watched: 2 new or changed of {2 * number} files" in result.stdout

    # A redelivered duplicate and a broken line land in an old day's file: it is reloaded.
    old_file = next((landing / "reel_liked" / days[0]).glob("*.jsonl"))
    first_line = old_file.read_text().splitlines()[0]
    with old_file.open("a") as handle:
        handle.write(first_line + "\n" + first_line[:25] + "\n")
    result = run_dbt_build(work, landing, out, **gate)
    assert result.returncode == 0, result.stdout[-3000:]
    assert f"reel_liked: 1 new or changed of {2 * len(days)} files" in result.stdout

    full_out = tmp_path / "full_out"
    full = run_dbt_build(tmp_path / "full", landing, full_out, **gate)
    assert full.returncode == 0, full.stdout[-3000:]

    incremental_interest, incremental_rejected = _outputs(out, landing)
    full_interest, full_rejected = _outputs(full_out, landing)
    assert incremental_interest == full_interest
    assert incremental_rejected == full_rejected
    assert any(raw == first_line[:25] for *_, raw in full_rejected)
    with duckdb.connect(str(work / "loco_clips.duckdb"), read_only=True) as database:
        duplicates = database.sql("select sum(duplicates) from int_event_outcomes_counted")
        assert duplicates.fetchall()[0][0] > 0


def test_full_refresh_rereads_every_file(tmp_path: Path) -> None:
    """An incremental run keeps the rows of a file that is gone; --full-refresh drops them."""
    landing, work, out = tmp_path / "landing", tmp_path / "work", tmp_path / "out"
    run_generator(
        landing, "--events", "2000", "--dirt-rate", "0.05", "--seed", "5", "--days", "2",
        "--files-per-day", "1", "--format", "jsonl",
    )  # fmt: skip
    assert run_dbt_build(work, landing, out).returncode == 0
    gone = sorted((landing / "reel_watched").rglob("*.jsonl"))[0]
    gone.unlink()

    def rows_from_gone_file() -> int:
        with duckdb.connect(str(work / "loco_clips.duckdb"), read_only=True) as database:
            query = "select count(*) from stg_clips__reel_watched where source_file = ?"
            return database.execute(query, [str(gone)]).fetchall()[0][0]

    incremental = run_dbt_build(work, landing, out)
    assert incremental.returncode == 0, incremental.stdout[-3000:]
    assert "reel_watched: 0 new or changed of 1 files" in incremental.stdout
    assert rows_from_gone_file() > 0

    full = run_dbt_build(work, landing, out, "--full-refresh")
    assert full.returncode == 0, full.stdout[-3000:]
    assert "new or changed" not in full.stdout
    assert rows_from_gone_file() == 0


def test_a_file_changed_in_place_with_the_same_size_is_reloaded(tmp_path: Path) -> None:
    """A rewrite that keeps the size is told by its modification time alone."""
    landing, work, out = tmp_path / "landing", tmp_path / "work", tmp_path / "out"
    run_generator(
        landing, "--events", "600", "--dirt-rate", "0", "--seed", "3", "--days", "1",
        "--files-per-day", "2", "--format", "jsonl",
    )  # fmt: skip
    first = run_dbt_build(work, landing, out)
    assert first.returncode == 0, first.stdout[-3000:]

    changed = sorted((landing / "reel_liked").rglob("*.jsonl"))[0]
    before = changed.stat()
    lines = changed.read_bytes().split(b"\n")
    broken = b"{" + b"x" * (len(lines[0]) - 1)  # the first line, now malformed, same length
    changed.write_bytes(b"\n".join([broken, *lines[1:]]))
    os.utime(changed, ns=(before.st_atime_ns, before.st_mtime_ns + 60_000_000_000))
    assert changed.stat().st_size == before.st_size

    result = run_dbt_build(work, landing, out)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "reel_liked: 1 new or changed of 2 files" in result.stdout
    rejected = duckdb.execute(
        "select reason_code from read_parquet(?) where raw_record = ?",
        [str(out / "rejected_events.parquet"), broken.decode()],
    ).fetchall()
    assert rejected == [("malformed_json",)]
