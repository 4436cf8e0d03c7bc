"""Raw event files (loco_clips.raw_files): literal listing, byte-exact lines, and one definition
of a line shared by the reader of unparsed lines and the line count of the staging test."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from loco_clips.raw_files import (
    count_text_lines,
    list_event_files,
    raw_file_error,
    read_text_lines,
    recover_text_lines,
)


def test_files_are_listed_literally_whatever_their_names(tmp_path: Path) -> None:
    names = ["part[1].jsonl", "*.jsonl", "q?.json", "back\\slash.jsonl.gz", "it's.jsonl", "x.txt"]
    (tmp_path / "sub\\dir [2]").mkdir()
    for name in names:
        (tmp_path / "sub\\dir [2]" / name).write_bytes(b"{}\n")

    listed = [Path(file["path"]).name for file in list_event_files(str(tmp_path))]

    assert listed == sorted(name for name in names if name != "x.txt")
    assert list_event_files(str(tmp_path / "missing")) == []


def test_hidden_names_are_not_listed_as_spark_skips_them(tmp_path: Path) -> None:
    paths = {
        "_tmp.jsonl": False, ".tmp.jsonl": False, "_temporary/0/a.jsonl": False,
        ".staging/a.jsonl": False, "ok/_SUCCESS.json": False, "dt=1/.a.jsonl.gz": False,
        "_metadata.jsonl": False, "_a=b/a.jsonl": True, "_metadata/a.jsonl": True,
        "_common_metadata_1/a.json": True,
        "a._COPYING_.jsonl": True, "a_b/c_.jsonl": True,
    }  # fmt: skip
    for path in paths:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(b"{}\n")

    listed = [file["path"] for file in list_event_files(str(tmp_path))]

    expected = {str(tmp_path / path) for path, read in paths.items() if read}
    assert listed == sorted(expected)


def test_a_line_ends_at_lf_and_keeps_everything_else(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_bytes(b'{"a":1}\r\n \t\f\v\r\n\n{"b":\r2}\r\xff{}\nlast without LF')

    lines = read_text_lines(str(path), True)

    assert lines == [
        {"line": '{"a":1}', "is_utf8": True},
        {"line": '{"b":\r2}\r\\xff{}', "is_utf8": False},
        {"line": "last without LF", "is_utf8": True},
    ]
    assert count_text_lines(str(path)) == 3
    # Only the lines that cannot be an object: not UTF-8, or not {...}.
    assert [line["line"] for line in read_text_lines(str(path), False)] == [
        '{"b":\r2}\r\\xff{}',
        "last without LF",
    ]


def test_the_line_count_agrees_with_the_line_reader(tmp_path: Path) -> None:
    pieces = [b'{"a":1}', b"", b"  ", b"\r", b"\f", b"x\ry", b"\xff", b" {} ", b"\v\t"]
    generator = random.Random(3)
    path = tmp_path / "f.jsonl"
    for _ in range(2000):
        lines = [generator.choice(pieces) for _ in range(generator.randint(0, 6))]
        path.write_bytes(b"\n".join(lines) + generator.choice([b"", b"\n", b"\r\n"]))
        assert count_text_lines(str(path)) == len(read_text_lines(str(path), True))


def test_recovery_returns_the_unparsed_lines_or_else_every_line(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_bytes(
        b'{"user_uid": "u"}\n'
        b"not json\r\n"
        b' \t{"user_uid": 5}\f\n'  # parsed by the reader, left empty by staging
        b'{"user_uid": 5}\n'  # the same text: left empty too
        b'{"user_uid": "u", }\n'  # outside RFC 8259: also known by its text
        b'{"broken" 1}\n'  # malformed, yet shaped like an object: the reader returned no text
    )
    known = ['{"user_uid": 5}', '{"user_uid": "u", }']
    surely = ["not json", ' \t{"user_uid": 5}\f', '{"user_uid": 5}', '{"user_uid": "u", }']

    # Staging left these four empty, and no other: exactly them, in file order.
    assert [line["line"] for line in recover_text_lines(str(path), 4, known)] == surely
    # Five empty rows: one was the malformed '{...}' line, which only parsing finds: every line.
    every = recover_text_lines(str(path), 5, known)
    assert every == read_text_lines(str(path), True)
    assert len(every) == 6
    # A known text that is no line of the file finds nothing, so the count falls short.
    assert recover_text_lines(str(path), 2, ["{}"]) == every


def test_recovery_of_a_file_with_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_bytes(b'{"a": 1}\n{"b": "\xff"}\n{"c": 3}\n')
    assert recover_text_lines(str(path), 1, []) == [{"line": '{"b": "\\xff"}', "is_utf8": False}]


def test_gzip_files_are_read_and_a_corrupt_one_names_itself(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl.gz"
    good.write_bytes(gzip.compress(b"{}\nnot json\n"))
    bad = tmp_path / "bad.jsonl.gz"
    bad.write_bytes(gzip.compress(b"{}\n" * 1000)[:-30])

    assert count_text_lines(str(good)) == 2
    assert raw_file_error(str(good)) is None
    assert raw_file_error(str(bad)) is not None
    with pytest.raises(OSError, match="cannot read raw event file .*bad.jsonl.gz"):
        read_text_lines(str(bad), True)
