"""Raw event files as the dbt run reads them: listed literally, read as byte-exact lines.

DuckDB's SQL cannot do either safely: its ``glob()`` reads ``[``, ``]``, ``*`` and ``?`` in names
as patterns and silently skips any file or folder whose name holds a backslash, and its text
readers abort on a line that is not valid UTF-8 and also end lines at a lone CR, so they cannot
find again the lines its JSON reader could not parse. The dbt plugin registers these functions
for the SQL: ``list_event_files``, ``read_text_lines``, ``count_text_lines`` (the staging
line-count test) and ``raw_file_error`` (which names a corrupt file after a failed read: DuckDB's
own error for a corrupt gzip file does not say which file it was).

``raw_path`` may be ``s3://bucket/prefix``: the objects are listed literally too (key, size,
last-modified time) and read through ``loco_clips.s3``.

A line ends at LF; the CR of a CRLF ending is dropped, any other CR is part of the line (a file
with CR-only endings is one line). A line of only white space, as DuckDB's JSON reader sees it
(space, tab, LF, vertical tab, form feed, CR), is blank and skipped.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import zlib
from collections.abc import Iterator
from typing import IO

from loco_clips import s3

EVENT_FILE_SUFFIXES = (".jsonl", ".jsonl.gz", ".json")
# What DuckDB's JSON reader takes for white space around a line (a line of only these is blank).
JSON_READER_SPACE = b" \t\n\v\f\r"


def is_hidden(name: str, folder: bool = False) -> bool:
    """A file or folder name that is not input, by the rule Spark's file listing applies (as
    Hadoop's tools and Athena do: an upload in progress, ``_temporary/``, ``_SUCCESS``): it starts
    with ``.``, or with ``_`` and holds no ``=``, or ends with ``._COPYING_``. A folder named
    ``_metadata*`` or ``_common_metadata*`` is not hidden (Spark keeps them for Parquet). So the
    DuckDB and the Spark build read the same files."""
    excluded = (
        name.startswith(".")
        or (name.startswith("_") and "=" not in name)
        or name.endswith("._COPYING_")
    )
    return excluded and not (folder and name.startswith(("_metadata", "_common_metadata")))


def list_event_files(folder: str) -> list[dict[str, object]]:
    """Every ``*.jsonl``, ``*.jsonl.gz`` and ``*.json`` file at any depth below ``folder``, sorted
    by path: its path, size in bytes and modification time in epoch milliseconds, except below a
    hidden name (``is_hidden``). A folder that does not exist has no files. On ``s3://`` the
    objects below the prefix, with their size and last-modified time; a bucket that cannot be
    listed stops the run with one line naming it."""
    if s3.is_s3(folder):
        prefix = folder.rstrip("/") + "/"
        return [
            file
            for file in s3.list_objects(folder, EVENT_FILE_SUFFIXES)
            if not _hidden_below(str(file["path"])[len(prefix) :])
        ]
    files = []
    for root, folders, names in os.walk(folder):
        folders[:] = [name for name in folders if not is_hidden(name, folder=True)]
        for name in names:
            if name.endswith(EVENT_FILE_SUFFIXES) and not is_hidden(name):
                path = os.path.join(root, name)
                status = os.stat(path)
                files.append(
                    {
                        "path": path,
                        "size": status.st_size,
                        "modified_ms": status.st_mtime_ns // 10**6,
                    }
                )
    return sorted(files, key=lambda file: file["path"])


def _hidden_below(relative_key: str) -> bool:
    *folders, name = relative_key.split("/")
    return is_hidden(name) or any(is_hidden(folder, folder=True) for folder in folders)


@contextlib.contextmanager
def _open(path: str) -> Iterator[IO[bytes]]:
    """A raw event file (local or ``s3://``) open for reading, decompressed for ``.gz``."""
    with s3.open_binary(path) if s3.is_s3(path) else open(path, "rb") as handle:
        if path.endswith(".gz"):
            with gzip.GzipFile(fileobj=handle, mode="rb") as unzipped:
                yield unzipped
        else:
            yield handle


def _file_content(path: str) -> bytes:
    """The bytes of a raw event file, decompressed for ``.gz``; an unreadable one names itself."""
    try:
        with _open(path) as handle:
            return handle.read()
    except (OSError, EOFError, zlib.error) as error:
        raise OSError(f"cannot read raw event file {path!r}: {error}") from error


def _lines(content: bytes) -> list[bytes]:
    """The lines of a file's bytes: split at LF, without the empty text after a final LF."""
    lines = content.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return lines


def _is_utf8(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _text_line(raw: bytes) -> dict[str, object]:
    """A non-blank line as the SQL gets it: without the CR of a CRLF ending, and whether it is
    valid UTF-8 (if not, its bad bytes written as ``\\xNN``)."""
    raw = raw.removesuffix(b"\r")
    try:
        return {"line": raw.decode("utf-8"), "is_utf8": True}
    except UnicodeDecodeError:
        return {"line": raw.decode("utf-8", "backslashreplace"), "is_utf8": False}


def _may_be_object(stripped: bytes) -> bool:
    return stripped[:1] == b"{" and stripped[-1:] == b"}"


def count_text_lines(path: str) -> int:
    """The number of non-blank lines of a raw event file, as ``read_text_lines`` reads them."""
    return sum(1 for raw in _lines(_file_content(path)) if raw.strip(JSON_READER_SPACE))


def read_text_lines(path: str, every_line: bool) -> list[dict[str, object]]:
    """The non-blank lines of a raw event file (gzip-compressed when its name ends in ``.gz``).

    A line ends at LF; the CR of a CRLF ending is dropped, any other CR is part of the line (a
    file with CR-only endings is one line). Blank means only white space as the JSON reader sees
    it. Each line comes with whether it is valid UTF-8; one that is not is returned with its bad
    bytes written as ``\\xNN``. With ``every_line`` false, only the lines that cannot be a JSON
    object are returned: not UTF-8, or not ``{...}`` inside white space. A file that cannot be
    read stops the run, naming the file.
    """
    return _text_lines(_lines(_file_content(path)), every_line)


def _text_lines(lines: list[bytes], every_line: bool) -> list[dict[str, object]]:
    found = []
    for raw in lines:
        stripped = raw.strip(JSON_READER_SPACE)
        if not stripped:
            continue
        line = _text_line(raw)
        if every_line or not line["is_utf8"] or not _may_be_object(stripped):
            found.append(line)
    return found


def recover_text_lines(
    path: str, unparsed: int, parsed_texts: list[str]
) -> list[dict[str, object]]:
    """The ``unparsed`` lines of a raw event file that staging left without fields, in one read.

    A line surely is one of them when it is not valid UTF-8, or not ``{...}`` inside white space
    (no JSON object), or when its text without that white space is one of ``parsed_texts``: the
    texts the JSON reader returned for lines staging still left empty (outside RFC 8259, an id
    that is not a JSON string, no known field); the same text parses the same way. When exactly
    ``unparsed`` lines are found that way, they are returned. Otherwise (a malformed line that
    looks like an object: the reader returned no text for it) every non-blank line is returned,
    and the SQL checks each of them as the reader does. Lines as ``read_text_lines`` reads them.
    """
    content = _file_content(path)
    lines = _lines(content)
    known = {text.encode("utf-8") for text in parsed_texts}
    candidates = lines
    if _is_utf8(content):
        # Then every line is: keep only those not '{...}' or known, in one quick pass.
        candidates = [
            raw
            for raw in lines
            if (stripped := raw.strip(JSON_READER_SPACE))[:1] != b"{"
            or stripped[-1:] != b"}"
            or stripped in known
        ]
    found = []
    for raw in candidates:
        stripped = raw.strip(JSON_READER_SPACE)
        if not stripped:
            continue
        line = _text_line(raw)
        if not line["is_utf8"] or not _may_be_object(stripped) or stripped in known:
            found.append(line)
    return found if len(found) == unparsed else _text_lines(lines, every_line=True)


def raw_file_error(path: str) -> str | None:
    """Why ``path`` cannot be read to its end (decompressed, for ``.gz``), or None if it can."""
    try:
        with _open(path) as handle:
            while handle.read(2**24):
                pass
    except (OSError, EOFError, zlib.error) as error:
        return f"{type(error).__name__}: {error}"
    return None
