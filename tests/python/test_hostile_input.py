"""Hostile input and operator mistakes: file names, paths and vars are data, never SQL or glob
patterns; bad vars stop the run before anything runs; the DuckDB state is bound to its raw folder.

Each case is a real `dbt build`. "No statement ran" is checked on the database itself: after a
hostile run, the same tables exist as after the clean build before it, and nothing new appeared.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from helpers import DBT, REPO, run_dbt_build
from hostile_lines import (
    BAD_LINE_REJECTED,
    BAD_LINE_USERS,
    GOOD,
    STRICT_JSON_LINES,
    STRICT_JSON_WATCHED,
    like,
    write_bad_line_files,
    write_strict_json_files,
)

INJECTION = "x']); drop table main.user_reel_interest; --"


def _write(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines))


def _tables(database: Path) -> set[str]:
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute("select table_name from information_schema.tables").fetchall()
    return {name for (name,) in rows}


def _digests(out: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.glob("*"))
        if path.is_file()
    }


def _parquet(path: Path, query: str = "select * from data order by all") -> list[tuple]:
    with duckdb.connect() as connection:
        connection.read_parquet(str(path)).create_view("data")
        return connection.execute(query).fetchall()


def _one_good_day(raw: Path) -> None:
    _write(raw / "reel_liked" / "dt=2025-11-24" / "part-0.jsonl", [like("u0", "r0", 1)])


def _clean_state(folder: Path) -> tuple[Path, Path, Path]:
    work, raw, out = folder / "work", folder / "raw", folder / "out"
    _one_good_day(raw)
    result = run_dbt_build(work, raw, out)
    assert result.returncode == 0, result.stdout[-3000:]
    return work, raw, out


@pytest.fixture(scope="module")
def clean_state_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One good build, made once: a folder holding `state` and a copy of it, `template`."""
    folder = tmp_path_factory.mktemp("clean_state")
    _clean_state(folder / "state")
    shutil.copytree(folder / "state", folder / "template", symlinks=True)
    return folder


@pytest.fixture
def clean_state(clean_state_template: Path) -> tuple[Path, Path, Path]:
    """A work folder holding a good build of one small raw folder: (work, raw, out).

    Each test gets the same build, copied back from the template to the same paths (the state
    is bound to its absolute raw_path; copies keep the files' modification times), instead of
    building it again: the tests of a module run one after another.
    """
    state = clean_state_template / "state"
    shutil.rmtree(state)
    shutil.copytree(clean_state_template / "template", state, symlinks=True)
    return state / "work", state / "raw", state / "out"


@pytest.fixture(scope="module")
def shared_clean_state(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The same, shared by tests that each check that they changed nothing in it."""
    return _clean_state(tmp_path_factory.mktemp("shared"))


HOSTILE_NAMES = [
    "it's.jsonl",
    "part[1].jsonl",
    "part1.jsonl",
    "*.jsonl",
    "q?.jsonl",
    "qx.jsonl",
    "a{b,c}.jsonl",
    "ab.jsonl",
    "back\\slash.jsonl",
    "with space.jsonl",
    INJECTION + ".jsonl",
    "dt=[1]/it's [2].jsonl",
    "new\nline.jsonl",
]


def test_every_hostile_file_name_is_one_file_read_once(
    clean_state: tuple[Path, Path, Path],
) -> None:
    work, raw, out = clean_state
    tables_before = _tables(work / "loco_clips.duckdb")
    folder = raw / "reel_liked" / "dt=2025-11-25"
    for number, name in enumerate(HOSTILE_NAMES):
        # Two lines per file, its own user: each file's rows can be told apart.
        _write(folder / name, [like(f"user {number}", "r1", 10), like(f"user {number}", "r2", 11)])

    result = run_dbt_build(work, raw, out)

    assert result.returncode == 0, result.stdout[-3000:]
    assert _tables(work / "loco_clips.duckdb") == tables_before
    with duckdb.connect(str(work / "loco_clips.duckdb"), read_only=True) as connection:
        per_file = dict(
            connection.execute(
                "select source_file, count(*) from stg_clips__reel_liked group by all"
            ).fetchall()
        )
    expected = {str(folder / name): 2 for name in HOSTILE_NAMES}
    expected[str(raw / "reel_liked" / "dt=2025-11-24" / "part-0.jsonl")] = 1
    assert per_file == expected
    users = _parquet(out / "user_reel_interest.parquet", "select distinct user_uid from data")
    assert len(users) == len(HOSTILE_NAMES) + 1


def _unnameable(what: str, path: Path) -> str:
    """The one line that refuses a path DuckDB's readers cannot name (duckdb_literal_path)."""
    return (
        f"Unreadable {what} {json.dumps(str(path))}: DuckDB's file readers cannot name a path "
        "holding a backslash and one of [ ] * ? exactly; rename it."
    )


def test_a_name_duckdb_cannot_read_exactly_stops_the_run_with_one_line(
    clean_state: tuple[Path, Path, Path],
) -> None:
    """DuckDB's glob reads a backslash as a folder separator, escaped path or not, so a path
    holding one and a glob character names no file, or another one (here the decoys a1/b.jsonl,
    which the path as a pattern matches, and a[1]/b.jsonl, which the escaped path matches): the
    run is refused, naming the file, before anything runs."""
    work, raw, out = clean_state
    tables_before, outputs_before = _tables(work / "loco_clips.duckdb"), _digests(out)
    folder = raw / "reel_liked" / "dt=2025-11-25"
    unreadable = folder / "a[1]\\b.jsonl"
    _write(unreadable, [like("u1", "r1", 10)])
    _write(folder / "a1" / "b.jsonl", [like("decoy", "r1", 10)])
    _write(folder / "a[1]" / "b.jsonl", [like("decoy", "r1", 10)])

    result = run_dbt_build(work, raw, out)

    assert result.returncode != 0
    assert _unnameable("raw file name", unreadable) in result.stdout
    assert _tables(work / "loco_clips.duckdb") == tables_before
    assert _digests(out) == outputs_before


def test_an_output_path_duckdb_cannot_read_back_stops_the_run_with_one_line(
    shared_clean_state: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    """The outputs are read back by DuckDB (the analyses' view, the summary, the PostgreSQL
    loader), whose glob splits a path at a backslash: an output_path holding one and a glob
    character is refused before anything runs, and nothing is written there."""
    work, raw, out = shared_clean_state
    tables_before, outputs_before = _tables(work / "loco_clips.duckdb"), _digests(out)
    unreadable = tmp_path / "out[1]\\x"

    result = run_dbt_build(work, raw, unreadable)

    assert result.returncode != 0
    assert _unnameable("output_path", unreadable) in result.stdout
    assert _tables(work / "loco_clips.duckdb") == tables_before
    assert _digests(out) == outputs_before
    assert list(tmp_path.iterdir()) == []


def test_raw_and_output_paths_with_quotes_and_sql_are_just_paths(tmp_path: Path) -> None:
    raw = tmp_path / f"raw {INJECTION}"
    out = tmp_path / f"out {INJECTION}"
    _one_good_day(raw)

    result = run_dbt_build(tmp_path / "work", raw, out)

    assert result.returncode == 0, result.stdout[-3000:]
    assert "user_reel_interest" in _tables(tmp_path / "work" / "loco_clips.duckdb")
    rows = _parquet(out / "user_reel_interest.parquet")
    assert [row[:2] for row in rows] == [("u0", "r0")]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("max_rejection_rate", "abc"),
        ("max_rejection_rate", 2),
        ("max_rejection_rate", -0.1),
        ("max_rejection_rate", True),
        ("max_rejection_rate", "0.1; drop table main.user_reel_interest"),
        ("interest_threshold", "0.6 or true"),
        ("interest_threshold", 1.5),
        ("interest_threshold", "1e-19"),
        ("interest_threshold", ""),
        ("raw_path", ""),
        ("output_path", "  "),
        ("raw_path", 42),
    ],
)
def test_a_bad_var_stops_the_run_before_anything_runs(
    shared_clean_state: tuple[Path, Path, Path], name: str, value: object
) -> None:
    work, raw, out = shared_clean_state
    tables_before, outputs_before = _tables(work / "loco_clips.duckdb"), _digests(out)
    variables = {"raw_path": str(raw), "output_path": str(out), name: value}

    result = subprocess.run(
        [str(DBT), "build", "--vars", json.dumps(variables)],
        cwd=REPO,
        env=_dbt_env(work),
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert f"Invalid var {name}: it must be" in result.stdout
    assert f"got {json.dumps(value)}." in result.stdout
    assert _tables(work / "loco_clips.duckdb") == tables_before
    assert _digests(out) == outputs_before


def test_a_tiny_rate_in_scientific_notation_is_taken_exactly(tmp_path: Path) -> None:
    """YAML prints 0.00001 as 1e-05; the guard compares with the exact decimal."""
    raw = tmp_path / "raw"
    _write(
        raw / "reel_liked" / "dt=2025-11-24" / "part-0.jsonl",
        [like(f"u{i}", "r", 1) for i in range(99_999)] + ["not json"],
    )
    at_limit = run_dbt_build(tmp_path / "a", raw, tmp_path / "a_out", max_rejection_rate=0.00001)
    assert at_limit.returncode == 0, at_limit.stdout[-3000:]
    below = run_dbt_build(tmp_path / "b", raw, tmp_path / "b_out", max_rejection_rate=0.0000099)
    assert below.returncode != 0
    assert "assert_rejection_rate_within_limit" in below.stdout


def test_a_missing_raw_path_fails_even_with_a_state_and_publishes_nothing(
    clean_state: tuple[Path, Path, Path],
) -> None:
    work, raw, out = clean_state
    outputs_before = _digests(out)

    result = run_dbt_build(work, raw.parent / "no such folder", out)

    assert result.returncode != 0
    assert "No input files: raw_path" in result.stdout
    assert _digests(out) == outputs_before


def test_an_emptied_raw_path_fails_even_with_a_state(clean_state: tuple[Path, Path, Path]) -> None:
    """Every file deleted, or renamed to a hidden name (an upload in progress): no input."""
    work, raw, out = clean_state
    outputs_before = _digests(out)
    for number, path in enumerate(sorted(raw.rglob("*.jsonl"))):
        if number % 2:
            path.unlink()
        else:
            path.rename(path.with_name(f".{path.name}"))

    result = run_dbt_build(work, raw, out)

    assert result.returncode != 0
    assert "No input files: raw_path" in result.stdout
    assert "(names starting with . or _ are skipped, as Spark skips them)" in result.stdout
    assert _digests(out) == outputs_before


def test_a_state_refuses_another_raw_path_until_a_full_refresh(
    clean_state: tuple[Path, Path, Path],
) -> None:
    work, raw_a, out = clean_state
    raw_b = raw_a.parent / "raw_b"
    _write(raw_b / "reel_liked" / "dt=2025-11-24" / "part-0.jsonl", [like("only in b", "r", 1)])
    outputs_before = _digests(out)

    refused = run_dbt_build(work, raw_b, out)

    assert refused.returncode != 0
    assert f"was built from raw_path {json.dumps(str(raw_a))}, not {json.dumps(str(raw_b))}" in (
        refused.stdout
    )
    assert _digests(out) == outputs_before

    rebuilt = run_dbt_build(work, raw_b, out, "--full-refresh")
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:]
    users = _parquet(out / "user_reel_interest.parquet", "select user_uid from data")
    assert users == [("only in b",)]
    # From now on the state belongs to raw_b: raw_a is the stranger.
    assert run_dbt_build(work, raw_b, out).returncode == 0
    assert run_dbt_build(work, raw_a, out).returncode != 0


def test_a_state_without_a_recorded_raw_path_asks_for_a_full_refresh(
    clean_state: tuple[Path, Path, Path],
) -> None:
    """A state from before the binding, or one whose full refresh from another folder failed."""
    work, raw, out = clean_state
    with duckdb.connect(str(work / "loco_clips.duckdb")) as connection:
        connection.execute("delete from loco_state")

    result = run_dbt_build(work, raw, out)

    assert result.returncode != 0
    assert "does not say which raw_path it was built from" in result.stdout
    assert run_dbt_build(work, raw, out, "--full-refresh").returncode == 0
    assert run_dbt_build(work, raw, out).returncode == 0


def _dbt_env(work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DBT_DUCKDB_PATH": str(work / "loco_clips.duckdb"),
        "DBT_PROFILES_DIR": str(REPO),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
    }


SQL_LITERAL_VALUES = [
    "plain",
    "it's",
    "''",
    "back\\slash \\' \\\\",
    "semi; colon; drop table main.user_reel_interest; --",
    "new\nline\r\nand\ttab",
    INJECTION,
    "unicode é ✓",
]


def test_sql_literal_reads_back_exactly_what_it_quoted(tmp_path: Path) -> None:
    inline = " union all ".join(
        f"select {number} as n, {{{{ sql_literal(var('values')[{number}]) }}}} as v"
        for number in range(len(SQL_LITERAL_VALUES))
    )
    result = subprocess.run(
        [
            str(DBT), "show", "--inline", inline, "--output", "json", "--log-format", "json",
            "--limit", "100", "--vars", json.dumps({"values": SQL_LITERAL_VALUES}),
        ],
        cwd=REPO,
        env=_dbt_env(tmp_path),
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    previews = [
        json.loads(json.loads(line)["data"]["preview"])
        for line in result.stdout.splitlines()
        if '"preview"' in line
    ]
    assert len(previews) == 1
    assert sorted(previews[0], key=lambda row: row["n"]) == [
        {"n": number, "v": value} for number, value in enumerate(SQL_LITERAL_VALUES)
    ]


@pytest.fixture(scope="module")
def hostile_lines_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build of the hostile lines (tests/python/hostile_lines.py: bad lines and strict JSON
    side by side, as the Spark suite builds them) with every rejection allowed; its output."""
    folder = tmp_path_factory.mktemp("hostile_lines")
    write_bad_line_files(folder / "raw")
    write_strict_json_files(folder / "raw")
    result = run_dbt_build(folder / "work", folder / "raw", folder / "out", max_rejection_rate=1)
    assert result.returncode == 0, result.stdout[-3000:]
    return folder / "out"


def test_one_bad_line_is_one_rejected_line_whatever_it_holds(hostile_lines_out: Path) -> None:
    """Every line either is used or lands in rejected_events with a reason; nothing aborts."""
    rejected = _parquet(
        hostile_lines_out / "rejected_events.parquet",
        "select parse_filename(source_file), reason_code, raw_record from data"
        " where parse_filename(source_file) <> 'strict.jsonl' order by all",
    )
    assert [(name, reason) for name, reason, _ in rejected] == BAD_LINE_REJECTED
    raw_records = {raw for *_, raw in rejected}
    assert '{"user_uid": "bad \\xff byte", "reel_uid": "r"}' in raw_records
    assert '{"user_uid": "\\xe2\\x82A \\xc0\\xaf \\xed\\xa0\\x80 \\xf4\\x90\\x80\\x80 ok é"}' in (
        raw_records
    )
    assert "x" * 2**20 in raw_records
    assert (GOOD[3] + b"\r" + GOOD[3]).decode() in raw_records
    users = _parquet(
        hostile_lines_out / "user_reel_interest.parquet",
        "select user_uid from data where reel_uid = 'r'",
    )
    assert users == [(user,) for user in BAD_LINE_USERS]


def test_a_corrupt_gzip_file_fails_the_run_naming_the_file(tmp_path: Path) -> None:
    """Infrastructure, not data: the one kind of input that may stop a run, and it says which."""
    raw = tmp_path / "raw"
    _one_good_day(raw)
    corrupt = raw / "reel_watched" / "dt=2025-11-24" / "part-0.jsonl.gz"
    corrupt.parent.mkdir(parents=True)
    corrupt.write_bytes(b"\x1f\x8b\x08\x00 not really gzip")

    result = run_dbt_build(tmp_path / "work", raw, tmp_path / "out")

    assert result.returncode != 0
    assert f"Cannot read raw event file {json.dumps(str(corrupt))}: " in result.stdout
    assert not (tmp_path / "out").exists()


def test_json_is_strict_and_ids_are_json_strings(hostile_lines_out: Path) -> None:
    """A line is JSON by RFC 8259 (no trailing comma, no NaN or Infinity), and the ids are JSON
    strings: anything else is one rejected line with its reason and its exact text, whatever the
    order of the checks, while strings that merely contain those characters are used."""
    rejected = _parquet(
        hostile_lines_out / "rejected_events.parquet",
        "select event_type, raw_record, reason_code from data"
        " where parse_filename(source_file) = 'strict.jsonl' order by all",
    )
    expected = [
        ("reel_liked", line, reason)
        for line, reason in STRICT_JSON_LINES.items()
        if reason is not None and reason != "missing_reel_uid"
    ]
    # The one line rejected after parsing shows its fields, as every parsed rejected line does.
    parsed = [row for row in rejected if row[2] == "missing_reel_uid"]
    assert sorted(row for row in rejected if row[2] != "missing_reel_uid") == sorted(
        expected + [("reel_watched", STRICT_JSON_WATCHED, "invalid_reel_uid")]
    )
    assert len(parsed) == 1 and '"user_uid":"u"' in parsed[0][1]
    pairs = _parquet(
        hostile_lines_out / "user_reel_interest.parquet",
        "select user_uid, reel_uid from data where reel_uid <> 'r'",
    )
    assert pairs == [("12", "[1]"), ('a" ,]', "Infinity"), ("true", "NaN, inf ,}")]
