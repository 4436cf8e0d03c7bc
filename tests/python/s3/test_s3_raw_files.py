"""The plugin's file functions on ``s3://`` paths, against the test S3 server: objects listed
literally with size and last-modified time, read as byte-exact lines (gzip too), unreadable ones
named, no local folder made for an S3 path, and every failure one line naming the bucket."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import duckdb
import pytest
from s3_server import S3Server

from loco_clips import dbt_plugin, publish, raw_files, s3

HOSTILE = "o'k [1]*?{a,b} x.jsonl"
DECOY = "o'k 1 x.jsonl"  # what the hostile name matches when read as a glob pattern


@pytest.fixture(scope="module")
def raw_bucket(s3_server: S3Server, new_bucket) -> str:  # noqa: ANN001
    bucket = new_bucket("rawfiles")
    client = s3_server.client()
    day = "raw/reel_liked/dt=2025-11-24"
    client.put_object(Bucket=bucket, Key=f"{day}/{HOSTILE}", Body=b'{"a": 1}\n{"b": 2}\n')
    client.put_object(Bucket=bucket, Key=f"{day}/{DECOY}", Body=b'{"c": 3}\n')
    client.put_object(Bucket=bucket, Key=f"{day}/part-0.jsonl.gz", Body=gzip.compress(b"{}\r\nx\n"))
    client.put_object(Bucket=bucket, Key=f"{day}/broken.jsonl.gz", Body=b"\x1f\x8bnot gzip")
    client.put_object(Bucket=bucket, Key=f"{day}/notes.txt", Body=b"not an event file")
    for hidden in ("_temporary/0/part.jsonl", ".upload.jsonl", "_metadata.jsonl"):  # is_hidden
        client.put_object(Bucket=bucket, Key=f"{day}/{hidden}", Body=b"{}\n")
    client.put_object(Bucket=bucket, Key=f"{day}/_metadata/part.jsonl", Body=b"{}\n")
    client.put_object(Bucket=bucket, Key="raw/reel_liked_other/x.jsonl", Body=b"{}\n")
    return bucket


def test_s3_objects_are_listed_literally_with_size_and_last_modified(raw_bucket: str) -> None:
    folder = f"s3://{raw_bucket}/raw/reel_liked"
    files = raw_files.list_event_files(folder)
    day = f"{folder}/dt=2025-11-24"
    assert [file["path"] for file in files] == sorted(
        f"{day}/{name}"
        for name in (HOSTILE, DECOY, "part-0.jsonl.gz", "broken.jsonl.gz", "_metadata/part.jsonl")
    )  # not notes.txt, no hidden name, not the sibling prefix reel_liked_other/
    by_path = {file["path"]: file for file in files}
    assert by_path[f"{day}/{HOSTILE}"]["size"] == 18
    assert all(file["modified_ms"] > 1_700_000_000_000 for file in files)


def test_a_missing_s3_prefix_has_no_files(raw_bucket: str) -> None:
    assert raw_files.list_event_files(f"s3://{raw_bucket}/raw/reel_unliked") == []


def test_s3_objects_are_read_as_lines_and_counted(raw_bucket: str) -> None:
    day = f"s3://{raw_bucket}/raw/reel_liked/dt=2025-11-24"
    assert raw_files.read_text_lines(f"{day}/{HOSTILE}", True) == [
        {"line": '{"a": 1}', "is_utf8": True},
        {"line": '{"b": 2}', "is_utf8": True},
    ]
    assert raw_files.count_text_lines(f"{day}/{HOSTILE}") == 2
    assert raw_files.read_text_lines(f"{day}/part-0.jsonl.gz", False) == [
        {"line": "x", "is_utf8": True}
    ]
    assert raw_files.raw_file_error(f"{day}/part-0.jsonl.gz") is None
    assert raw_files.raw_file_error(f"{day}/broken.jsonl.gz")


def test_duckdb_reads_a_hostile_key_once_through_the_registered_filesystem(
    raw_bucket: str,
) -> None:
    """The path escaping duckdb_literal_path does ([ ] * ? each in a class of its own) works on
    s3fs's glob too: the hostile key is read, the decoy it would match as a pattern is not."""
    connection = duckdb.connect()
    dbt_plugin.Plugin.configure_connection(None, connection)  # type: ignore[arg-type]
    path = f"s3://{raw_bucket}/raw/reel_liked/dt=2025-11-24/{HOSTILE}"
    escaped = "".join(f"[{c}]" if c in "[]*?" else c for c in path)
    rows = connection.execute(
        "select filename, a, b from read_json([?], filename = true, format = 'newline_delimited',"
        " columns = {a: 'varchar', b: 'varchar'})",
        [escaped],
    ).fetchall()
    assert rows == [(path, "1", None), (path, None, "2")]


def test_make_directories_on_s3_creates_no_local_folder(
    raw_bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert dbt_plugin.make_directories(f"s3://{raw_bucket}/out/.runs/x") is True
    assert list(tmp_path.iterdir()) == []  # the old code made ./s3:/<bucket>/out/.runs/x


def test_an_unknown_bucket_is_named_in_one_line() -> None:
    with pytest.raises(s3.S3AccessError, match=r"bucket 'loco-no-such-bucket'") as error:
        dbt_plugin.make_directories("s3://loco-no-such-bucket/out")
    assert "\n" not in str(error.value)


def test_wrong_credentials_are_named_with_the_bucket(
    raw_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong")
    s3.filesystem.cache_clear()  # a fresh client reads the chain again
    try:
        with pytest.raises(s3.S3AccessError) as error:
            raw_files.list_event_files(f"s3://{raw_bucket}/raw/reel_liked")
    finally:
        s3.filesystem.cache_clear()
    message = str(error.value)
    assert message.startswith(
        f"cannot list s3://{raw_bucket}/raw/reel_liked (bucket '{raw_bucket}')"
    )
    assert "signature" in message.lower()


def test_published_file_names_the_pointer_s_run(s3_server: S3Server, new_bucket) -> None:  # noqa: ANN001
    bucket = new_bucket("pointer")
    with pytest.raises(FileNotFoundError, match="_latest.json"):
        publish.published_file(f"s3://{bucket}/out", "user_reel_interest.parquet")
    assert os.environ["AWS_ENDPOINT_URL"] == s3_server.endpoint
