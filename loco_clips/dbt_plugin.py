"""A dbt-duckdb plugin that lets SQL create the output folder before it writes Parquet.

DuckDB's ``COPY ... TO`` needs the target folder to exist, and SQL has no ``mkdir``. The plugin
registers one scalar function, ``make_directories(path)``, which the ``export_parquet`` macro
calls first. It is the only Python the dbt project runs.
"""

from pathlib import Path

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection
from duckdb.sqltypes import BOOLEAN, VARCHAR


def make_directories(path: str) -> bool:
    """Create ``path`` and its parents if missing; return True."""
    Path(path).mkdir(parents=True, exist_ok=True)
    return True


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        conn.create_function(
            "make_directories",
            make_directories,
            [VARCHAR],
            BOOLEAN,
            side_effects=True,
        )
