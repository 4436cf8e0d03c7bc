"""The dbt-duckdb plugin: registers the few SQL functions the dbt run needs and SQL cannot do
safely, the only Python the dbt run executes. Every rule stays in SQL.

- ``make_directories(path)``: DuckDB's ``COPY ... TO`` needs the target folder to exist.
- ``absolute_path(path)``: a relative path made absolute against the working directory (DuckDB
  SQL cannot ask for it), for the compiled Spark DDL in ``analyses/``.
- ``list_event_files(folder)``, ``recover_text_lines(path, unparsed, parsed_texts)``,
  ``count_text_lines(path)``, ``raw_file_error(path)``: raw event files listed literally and read
  as byte-exact lines (``loco_clips.raw_files``).
- ``publish_run(output_path, run_id)``: the run's three output files made the published ones in
  one atomic rename, or on ``s3://`` one PUT of a pointer object (``loco_clips.publish``).

It also registers s3fs with DuckDB (``loco_clips.s3``), so ``read_json`` and ``copy … to`` work
on ``s3://`` paths, with credentials and endpoint from the standard AWS chain.
"""

from pathlib import Path

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection, list_type, struct_type
from duckdb.sqltypes import BIGINT, BOOLEAN, VARCHAR

from loco_clips import s3
from loco_clips.publish import publish_run
from loco_clips.raw_files import (
    count_text_lines,
    list_event_files,
    raw_file_error,
    recover_text_lines,
)

EVENT_FILE = struct_type({"path": VARCHAR, "size": BIGINT, "modified_ms": BIGINT})
TEXT_LINE = struct_type({"line": VARCHAR, "is_utf8": BOOLEAN})


def make_directories(path: str) -> bool:
    """Create ``path`` and its parents if missing; return True. S3 has no folders: there it only
    checks that the bucket can be reached (a clear error naming it, before any write)."""
    if s3.is_s3(path):
        s3.check_bucket(path)
        return True
    Path(path).mkdir(parents=True, exist_ok=True)
    return True


def absolute_path(path: str) -> str:
    """``path`` made absolute against the working directory; a URL (``s3://…``) as it is."""
    return path if "://" in path else str(Path(path).absolute())


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        s3.register(conn)
        functions = [
            ("make_directories", make_directories, [VARCHAR], BOOLEAN),
            ("list_event_files", list_event_files, [VARCHAR], list_type(EVENT_FILE)),
            (
                "recover_text_lines",
                recover_text_lines,
                [VARCHAR, BIGINT, list_type(VARCHAR)],
                list_type(TEXT_LINE),
            ),
            ("count_text_lines", count_text_lines, [VARCHAR], BIGINT),
            ("raw_file_error", raw_file_error, [VARCHAR], VARCHAR),
            ("publish_run", publish_run, [VARCHAR, VARCHAR], VARCHAR),
            ("absolute_path", absolute_path, [VARCHAR], VARCHAR),
        ]
        for name, function, parameters, returns in functions:
            conn.create_function(name, function, parameters, returns, side_effects=True)
