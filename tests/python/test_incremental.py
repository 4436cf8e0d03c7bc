"""Incremental runs: any sequence of daily runs gives exactly what one full refresh gives.

Raw files are only ever added: a run in which a file already loaded has changed or is gone
stops, naming the file, and asks for --full-refresh.
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import duckdb
from helpers import copy_project, replace_once, run_dbt_build, run_generator

EVENT_TYPES = ("reel_watched", "reel_liked", "reel_unliked")
# 10 % dirt, nearly all of it rejected: one day can exceed the default 10 % gate by chance.
GATE = {"max_rejection_rate": 0.2}


def _outputs(out: Path, raw: Path) -> tuple[list[tuple], list[tuple]]:
    interest = duckdb.sql(
        f"select * from read_parquet('{out}/user_reel_interest.parquet') order by all"
    ).fetchall()
    rejected = duckdb.sql(
        f"select event_type, replace(source_file, '{raw}/', ''), reason_code, raw_record "
        f"from read_parquet('{out}/rejected_events.parquet') order by all"
    ).fetchall()
    return interest, rejected


def _landed_files(landing: Path) -> list[Path]:
    return sorted(path for path in landing.rglob("*") if path.is_file())


def test_any_sequence_of_daily_runs_equals_one_full_refresh(tmp_path: Path) -> None:
    """Days landed one by one in a random order, a file sent again under an earlier day's folder
    (its records are duplicates of records already held), an old file changed and one deleted:
    after each run the state matches what is landed, and the outputs equal one full refresh."""
    seed = int(os.environ.get("LOCO_PROPERTY_SEED", random.randrange(1_000_000)))
    rng = random.Random(seed)
    why = f"(LOCO_PROPERTY_SEED={seed})"
    generated = tmp_path / "generated"
    run_generator(
        generated, "--events", "6000", "--dirt-rate", "0.1", "--seed", str(seed), "--days", "3",
        "--files-per-day", "2", "--format", "mixed",
    )  # fmt: skip
    days = sorted(p.name for p in (generated / "reel_watched").iterdir())
    landing, work, out = tmp_path / "landing", tmp_path / "incremental", tmp_path / "out"
    steps = [("land", day) for day in days]
    steps += [("redeliver", None), ("change", None), ("delete", None)]
    rng.shuffle(steps)
    # A step on landed files waits until one day has landed.
    first_land = next(number for number, step in enumerate(steps) if step[0] == "land")
    steps = [steps[first_land], *steps[:first_land], *steps[first_land + 1 :]]
    log = []

    for kind, day in steps:
        log.append(kind if day is None else f"{kind} {day}")
        landed = _landed_files(landing)
        if kind == "land":
            for event_type in EVENT_TYPES:
                shutil.copytree(generated / event_type / day, landing / event_type / day)
            result = run_dbt_build(work, landing, out, **GATE)
            assert result.returncode == 0, (why, log, result.stdout[-3000:])
            for event_type in EVENT_TYPES:  # only the new day's two files are parsed
                message = f"{event_type}: 2 new of {len(_landed_files(landing / event_type))} files"
                assert message in result.stdout or len(log) == 1, (why, log, message)
        elif kind == "redeliver":
            # Under a folder that sorts first: full refresh names the copy as the first one.
            for event_type in ("reel_watched", "reel_liked"):
                sent = rng.choice([path for path in landed if event_type in str(path)])
                again = landing / event_type / "dt=2025-01-01" / f"again-{sent.name}"
                again.parent.mkdir(parents=True)
                shutil.copy2(sent, again)
            result = run_dbt_build(work, landing, out, **GATE)
            assert result.returncode == 0, (why, log, result.stdout[-3000:])
            assert "reel_liked: 1 new of" in result.stdout, (why, log)
            assert "reel_watched: 1 new of" in result.stdout, (why, log)
        else:
            plain = [path for path in landed if path.suffix != ".gz"]  # appended to as text
            touched = rng.choice(plain if kind == "change" else landed)
            if kind == "change":
                with touched.open("ab") as handle:
                    handle.write(b'{"user_uid": "late", "reel_uid": "r", "timestamp": 1}\n')
                expected = f'Raw file "{touched}" has changed since an earlier run loaded it'
            else:
                touched.unlink()
                expected = f'Raw file "{touched}" was loaded by an earlier run and is gone'
            refused = run_dbt_build(work, landing, out, **GATE)
            assert refused.returncode != 0, (why, log)
            assert expected in refused.stdout, (why, log, refused.stdout[-3000:])
            assert "--full-refresh" in refused.stdout
            rebuilt = run_dbt_build(work, landing, out, "--full-refresh", **GATE)
            assert rebuilt.returncode == 0, (why, log, rebuilt.stdout[-3000:])

    full_out = tmp_path / "full_out"
    full = run_dbt_build(tmp_path / "full", landing, full_out, **GATE)
    assert full.returncode == 0, full.stdout[-3000:]
    incremental_interest, incremental_rejected = _outputs(out, landing)
    full_interest, full_rejected = _outputs(full_out, landing)
    assert incremental_interest == full_interest, (why, log)
    assert incremental_rejected == full_rejected, (why, log)
    with duckdb.connect(str(work / "loco_clips.duckdb"), read_only=True) as database:
        duplicates = database.sql("select sum(duplicates) from int_event_outcomes_counted")
        assert duplicates.fetchall()[0][0] > 0, (why, log)


def test_an_incremental_run_after_a_file_is_deleted_is_refused(tmp_path: Path) -> None:
    """The file is named; the state is untouched; --full-refresh drops the file's rows."""
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
    assert incremental.returncode != 0
    assert f'Raw file "{gone}" was loaded by an earlier run and is gone' in incremental.stdout
    assert rows_from_gone_file() > 0

    full = run_dbt_build(work, landing, out, "--full-refresh")
    assert full.returncode == 0, full.stdout[-3000:]
    assert " new of " not in full.stdout
    assert rows_from_gone_file() == 0


def test_a_file_changed_in_place_with_the_same_size_is_refused(tmp_path: Path) -> None:
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
    assert result.returncode != 0
    assert f'Raw file "{changed}" has changed since an earlier run loaded it' in result.stdout

    result = run_dbt_build(work, landing, out, "--full-refresh")
    assert result.returncode == 0, result.stdout[-3000:]
    rejected = duckdb.execute(
        "select reason_code from read_parquet(?) where raw_record = ?",
        [str(out / "rejected_events.parquet"), broken.decode()],
    ).fetchall()
    assert rejected == [("malformed_json",)]


def test_a_state_built_with_other_rules_is_refused_until_a_full_refresh(tmp_path: Path) -> None:
    """The validation and per-pair state rows were made by the rules of their run: a run with
    other rules (a macro the models call, the interest threshold) would mix two rule sets. A
    change the state does not depend on (how outputs are published) is not refused."""
    landing, work, out = tmp_path / "landing", tmp_path / "work", tmp_path / "out"
    run_generator(
        landing, "--events", "400", "--dirt-rate", "0", "--seed", "7", "--days", "1",
        "--files-per-day", "1", "--format", "jsonl",
    )  # fmt: skip
    project = copy_project(tmp_path / "project")
    assert run_dbt_build(work, landing, out, project=project).returncode == 0
    refused = "was built with other rules"

    # A macro no incremental model calls, changed.
    replace_once(
        project / "macros" / "publish_outputs.sql",
        "{% macro publish_outputs(results) %}",
        "{% macro publish_outputs(results) %}{# changed #}",
    )
    result = run_dbt_build(work, landing, out, project=project)
    assert result.returncode == 0, result.stdout[-3000:]

    # A rule's macro, changed (a comment: what it computes is the same, the check cannot know).
    replace_once(
        project / "macros" / "parse_numbers.sql",
        "{% macro parse_decimal(text) -%}",
        "{% macro parse_decimal(text) -%}{# changed #}",
    )
    result = run_dbt_build(work, landing, out, project=project)
    assert result.returncode != 0
    assert refused in result.stdout, result.stdout[-3000:]
    assert run_dbt_build(work, landing, out, "--full-refresh", project=project).returncode == 0
    assert run_dbt_build(work, landing, out, project=project).returncode == 0

    result = run_dbt_build(work, landing, out, project=project, interest_threshold=0.5)
    assert result.returncode != 0
    assert refused in result.stdout, result.stdout[-3000:]
