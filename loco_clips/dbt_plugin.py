"""A dbt-duckdb plugin for the two things plain SQL cannot do safely here.

- ``make_directories(path)``: DuckDB's ``COPY ... TO`` needs the target folder to exist, and SQL
  has no ``mkdir``; the export macro calls it first.
- ``list_event_files(folder)``: the raw event files below a folder, listed literally. DuckDB's
  ``glob()`` reads ``[``, ``]``, ``*`` and ``?`` in names as patterns and silently skips any file
  or folder whose name holds a backslash, so it cannot be the listing.

They are the only Python the dbt run executes.
"""

import os
from pathlib import Path

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection, list_type, struct_type
from duckdb.sqltypes import BIGINT, BOOLEAN, VARCHAR

EVENT_FILE_SUFFIXES = (".jsonl", ".jsonl.gz", ".json")
EVENT_FILE = struct_type({"path": VARCHAR, "size": BIGINT, "modified_ms": BIGINT})


def make_directories(path: str) -> bool:
    """Create ``path`` and its parents if missing; return True."""
    Path(path).mkdir(parents=True, exist_ok=True)
    return True


def list_event_files(folder: str) -> list[dict[str, object]]:
    """Every ``*.jsonl``, ``*.jsonl.gz`` and ``*.json`` file at any depth below ``folder``, sorted
    by path: its path, size in bytes and modification time in epoch milliseconds. A folder that
    does not exist has no files."""
    files = []
    for root, _, names in os.walk(folder):
        for name in names:
            if name.endswith(EVENT_FILE_SUFFIXES):
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


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        conn.create_function(
            "make_directories", make_directories, [VARCHAR], BOOLEAN, side_effects=True
        )
        conn.create_function(
            "list_event_files",
            list_event_files,
            [VARCHAR],
            list_type(EVENT_FILE),
            side_effects=True,
        )
