"""literal_path, the Python twin of the macro duckdb_literal_path: a path DuckDB's file readers
take as exactly one file, or a clear error when they cannot."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from loco_clips.duckdb_paths import literal_path


def _write(path: Path, who: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'{{"who": "{who}"}}\n')


def _read(path: str) -> list[tuple[str]]:
    with duckdb.connect() as connection:
        return connection.execute("select who from read_json([?])", [path]).fetchall()


def test_glob_characters_name_exactly_one_file(tmp_path: Path) -> None:
    _write(tmp_path / "part[1] *?.jsonl", "real")
    _write(tmp_path / "part1 xx.jsonl", "decoy")

    assert _read(literal_path(tmp_path / "part[1] *?.jsonl")) == [("real",)]


def test_a_backslash_and_a_glob_character_are_refused(tmp_path: Path) -> None:
    """DuckDB's glob takes a backslash for a folder separator even in an escaped path, so the
    escaped path reads the decoy below: literal_path refuses such a path instead."""
    unreadable = tmp_path / "a[1]\\b.jsonl"
    _write(unreadable, "real")
    _write(tmp_path / "a[1]" / "b.jsonl", "decoy")
    escaped = "".join(f"[{c}]" if c in "[]*?" else c for c in str(unreadable))
    assert _read(escaped) == [("decoy",)]

    with pytest.raises(ValueError, match=r"cannot name a path holding a backslash and one of"):
        literal_path(unreadable)


def test_a_backslash_alone_is_an_ordinary_character(tmp_path: Path) -> None:
    _write(tmp_path / "a\\b.jsonl", "real")
    _write(tmp_path / "a" / "b.jsonl", "decoy")

    assert _read(literal_path(tmp_path / "a\\b.jsonl")) == [("real",)]
