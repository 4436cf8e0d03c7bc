"""Load ``user_reel_interest.parquet`` into a PostgreSQL table, atomically and idempotently.

How a load goes, all inside one transaction:

0. A file on ``s3://`` (credentials from the standard AWS chain) is downloaded to a temporary
   folder first; a key that cannot be read is an ``InputFileError`` naming its bucket.
1. Check the Parquet file before touching the database: it must exist, have exactly the expected
   columns and types (``EXPECTED_COLUMNS``), at least one row, and no NULL key (dbt-duckdb writes a
   single all-NULL row when a model is empty; that must never replace real data).
2. Create ``<table>__loading``, bulk-load it with ``COPY`` (DuckDB turns the Parquet file into CSV,
   psycopg streams it), add the primary key (which also proves uniqueness) and ``ANALYZE`` it.
3. Copy the old table's grants onto the new one, drop the old table and rename the new one into
   its place, then commit.

Readers see the old table until the commit and the new one after it: never a half-loaded or empty
table. A failure anywhere rolls everything back and leaves the old table as it was. Loading the same
file again gives the same table.

Errors come in two kinds, so a scheduler can tell them apart: ``DatabaseUnavailableError`` when
the database cannot be reached or the connection drops (worth retrying later), and ``LoadError``
for everything else (bad input, schema mismatch, duplicate keys, missing privileges: retrying
cannot help).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg
from psycopg import sql

from loco_clips import s3
from loco_clips.duckdb_paths import literal_path

log = logging.getLogger(__name__)

DEFAULT_TABLE = "user_reel_interest"
DEFAULT_SCHEMA = "public"

# The contract of user_reel_interest.parquet (models/marts/_marts__models.yml, checked by a test):
# column name -> (type in the Parquet file as DuckDB reads it, column definition in PostgreSQL).
EXPECTED_COLUMNS: dict[str, tuple[str, str]] = {
    "user_uid": ("VARCHAR", "text not null"),
    "reel_uid": ("VARCHAR", "text not null"),
    "liked": ("BOOLEAN", "boolean not null"),
    "unliked": ("BOOLEAN", "boolean not null"),
    "watched_ratio": ("DECIMAL(38,9)", "numeric(38, 9)"),
    "is_interested": ("BOOLEAN", "boolean not null"),
}
PRIMARY_KEY = ("user_uid", "reel_uid")

# SQLSTATE classes and codes after which the same load may well succeed later.
_TRANSIENT_SQLSTATE_CLASSES = ("08", "53", "57")  # connection, resources, operator intervention
_TRANSIENT_SQLSTATES = ("40001", "40P01", "55P03")  # serialization, deadlock, lock timeout
_PERMANENT_CONNECTION_ERRORS = (
    "password authentication failed",
    "no pg_hba.conf entry",
    "does not exist",  # role or database
    "invalid connection option",
)


class LoadError(Exception):
    """A permanent load failure: the same load will fail the same way, so do not retry it."""


class InputFileError(LoadError):
    """The Parquet file is missing, empty or holds rows that must not be loaded."""


class SchemaMismatchError(LoadError):
    """The Parquet file's columns or types differ from ``EXPECTED_COLUMNS``."""


class DatabaseUnavailableError(Exception):
    """The database could not be reached or went away: a retry later may succeed."""


@dataclass(frozen=True)
class LoadResult:
    """What a successful load did."""

    table: str
    rows: int
    seconds: float


def check_parquet(path: Path) -> int:
    """Check the file against the contract and return its number of rows.

    Raises ``InputFileError`` or ``SchemaMismatchError``; never touches the database.
    """
    if not path.is_file():
        raise InputFileError(f"Parquet file not found: {path}")
    if path.stat().st_size == 0:
        raise InputFileError(f"Parquet file is empty (0 bytes): {path}")
    with duckdb.connect() as con:
        try:
            query = "describe select * from read_parquet(?)"
            described = con.execute(query, [literal_path(path)]).fetchall()
        except duckdb.Error as error:
            raise InputFileError(f"cannot read {path} as Parquet: {error}") from error
        actual = {row[0]: row[1] for row in described}
        expected = {name: types[0] for name, types in EXPECTED_COLUMNS.items()}
        if actual != expected:
            raise SchemaMismatchError(f"{path}: {_describe_mismatch(expected, actual)}")
        rows, null_keys = con.execute(
            "select count(*), count(*) filter (where user_uid is null or reel_uid is null) "
            "from read_parquet(?)",
            [literal_path(path)],
        ).fetchone()
    if rows == 0:
        raise InputFileError(f"Parquet file has no rows, refusing to replace the table: {path}")
    if null_keys:
        raise InputFileError(
            f"{path}: {null_keys} of {rows} rows have a NULL user_uid or reel_uid "
            "(an empty dbt model writes one all-NULL row), refusing to load"
        )
    return rows


def _describe_mismatch(expected: dict[str, str], actual: dict[str, str]) -> str:
    problems = []
    missing = [name for name in expected if name not in actual]
    extra = [name for name in actual if name not in expected]
    if missing:
        problems.append(f"missing columns {missing}")
    if extra:
        problems.append(f"unexpected columns {extra}")
    problems += [
        f"column {name} is {actual[name]}, expected {expected[name]}"
        for name in expected
        if name in actual and actual[name] != expected[name]
    ]
    return "schema mismatch: " + "; ".join(problems)


def is_transient(error: psycopg.Error) -> bool:
    """Tell whether a database error may go away by itself (connection lost, lock timeout...)."""
    if error.sqlstate is None:
        # Raised by libpq itself: connection refused, timed out or dropped, or refused by the
        # server at start-up. A failed start-up carries no SQLSTATE, so the few refusals that
        # will not fix themselves are told by the server's (English) message.
        message = str(error)
        if any(marker in message for marker in _PERMANENT_CONNECTION_ERRORS):
            return False
        return isinstance(error, psycopg.OperationalError)
    return (
        error.sqlstate[:2] in _TRANSIENT_SQLSTATE_CLASSES or error.sqlstate in _TRANSIENT_SQLSTATES
    )


def load_parquet(
    parquet_path: str | Path,
    conninfo: str,
    *,
    schema: str = DEFAULT_SCHEMA,
    table: str = DEFAULT_TABLE,
    connect_timeout: int = 10,
    lock_timeout: str = "60s",
) -> LoadResult:
    """Replace ``schema.table`` with the rows of the Parquet file, in one transaction."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="loco_clips_load_") as tmp:
        path = _local_file(str(parquet_path), Path(tmp))
        rows = check_parquet(path)
        log.info("loading %s rows from %s into %s.%s", rows, parquet_path, schema, table)
        _load_checked(path, Path(tmp), conninfo, schema, table, rows, connect_timeout, lock_timeout)
    result = LoadResult(table=f"{schema}.{table}", rows=rows, seconds=time.monotonic() - started)
    log.info("loaded %s rows into %s in %.1f s", result.rows, result.table, result.seconds)
    return result


def _local_file(location: str, folder: Path) -> Path:
    """The Parquet file as a local path: itself, or an ``s3://`` object downloaded to ``folder``."""
    if not s3.is_s3(location):
        return Path(location)
    local = folder / "user_reel_interest.parquet"
    try:
        s3.download(location, str(local))
    except OSError as error:
        raise InputFileError(f"Parquet file not readable: {error}") from error
    return local


def _load_checked(
    path: Path,
    tmp: Path,
    conninfo: str,
    schema: str,
    table: str,
    rows: int,
    connect_timeout: int,
    lock_timeout: str,
) -> None:
    """The checked file into PostgreSQL: CSV in ``tmp``, then the swap in one transaction."""
    csv_path = tmp / "rows.csv"
    _write_csv(path, csv_path)
    try:
        with (
            psycopg.connect(conninfo, connect_timeout=connect_timeout, autocommit=True) as conn,
            conn.transaction(),
        ):
            _replace_table(conn, csv_path, schema, table, rows, lock_timeout)
    except psycopg.Error as error:
        reason = f"{type(error).__name__}: {str(error).strip().splitlines()[0]}"
        if is_transient(error):
            raise DatabaseUnavailableError(f"PostgreSQL unavailable: {reason}") from error
        raise LoadError(f"loading {schema}.{table} failed: {reason}") from error


def _write_csv(parquet_path: Path, csv_path: Path) -> None:
    """Write the expected columns as CSV: NULL is an empty field, an empty string is ``""``."""
    columns = ", ".join(EXPECTED_COLUMNS)
    with duckdb.connect() as con:
        con.execute(
            f"copy (select {columns} from read_parquet(?)) to '{_duckdb_literal(csv_path)}' "
            "(format csv, header false)",
            [literal_path(parquet_path)],
        )


def _duckdb_literal(path: Path) -> str:
    return str(path).replace("'", "''")


def _replace_table(
    conn: psycopg.Connection, csv_path: Path, schema: str, table: str, rows: int, lock_timeout: str
) -> None:
    target = sql.Identifier(schema, table)
    loading_name = f"{table}__loading"
    loading = sql.Identifier(schema, loading_name)
    columns = sql.SQL(", ").join(sql.Identifier(name) for name in EXPECTED_COLUMNS)
    with conn.cursor() as cur:
        # One loader at a time per table; released at commit or rollback.
        cur.execute("select pg_advisory_xact_lock(hashtext(%s))", [f"{schema}.{table}"])
        cur.execute(sql.SQL("drop table if exists {}").format(loading))
        cur.execute(
            sql.SQL("create table {} ({})").format(
                loading,
                sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(pg_type))
                    for name, (_, pg_type) in EXPECTED_COLUMNS.items()
                ),
            )
        )
        copy_sql = sql.SQL("copy {} ({}) from stdin (format csv)").format(loading, columns)
        with csv_path.open("rb") as source, cur.copy(copy_sql) as copy:
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        # Adding the key after the bulk load is faster and proves (user_uid, reel_uid) is unique.
        cur.execute(
            sql.SQL("alter table {} add constraint {} primary key ({})").format(
                loading,
                sql.Identifier(f"{loading_name}_pkey"),
                sql.SQL(", ").join(sql.Identifier(name) for name in PRIMARY_KEY),
            )
        )
        cur.execute(sql.SQL("analyze {}").format(loading))
        _copy_grants(cur, schema, table, loading)
        cur.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(lock_timeout)))
        cur.execute(sql.SQL("drop table if exists {}").format(target))
        cur.execute(sql.SQL("alter table {} rename to {}").format(loading, sql.Identifier(table)))
        cur.execute(
            sql.SQL("alter index {} rename to {}").format(
                sql.Identifier(schema, f"{loading_name}_pkey"), sql.Identifier(f"{table}_pkey")
            )
        )
        cur.execute(
            sql.SQL("comment on table {} is {}").format(
                target,
                sql.Literal(
                    f"Interest of each user in each reel: {rows} rows loaded by loco_clips.load "
                    "from user_reel_interest.parquet."
                ),
            )
        )


def _copy_grants(cur: psycopg.Cursor, schema: str, table: str, new_table: sql.Composed) -> None:
    """Give the new table the privileges the old one had, so readers keep their access."""
    cur.execute(
        """
        select coalesce(grantee.rolname, 'public'), acl.privilege_type, acl.is_grantable
        from pg_class as tbl
        join pg_namespace as nsp on nsp.oid = tbl.relnamespace
        cross join lateral aclexplode(tbl.relacl) as acl
        left join pg_roles as grantee on grantee.oid = acl.grantee
        where nsp.nspname = %s and tbl.relname = %s and tbl.relkind = 'r'
            and acl.grantee <> tbl.relowner
        """,
        [schema, table],
    )
    for grantee, privilege, grantable in cur.fetchall():
        role = sql.SQL("public") if grantee == "public" else sql.Identifier(grantee)
        cur.execute(
            sql.SQL("grant {} on {} to {}{}").format(
                sql.SQL(privilege),
                new_table,
                role,
                sql.SQL(" with grant option" if grantable else ""),
            )
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="loco-clips-load",
        description=(
            "Replace a PostgreSQL table with the rows of user_reel_interest.parquet, atomically "
            "(new table, COPY, swap in one transaction). Exit code 0: loaded; 1: permanent "
            "failure (bad input, schema mismatch...); 75: database unavailable, retry later."
        ),
    )
    parser.add_argument("parquet", type=Path, help="path of user_reel_interest.parquet")
    parser.add_argument(
        "--dsn",
        default=os.environ.get("LOCO_POSTGRES_DSN"),
        help="libpq connection string or URI (default: env LOCO_POSTGRES_DSN)",
    )
    parser.add_argument("--schema", default=DEFAULT_SCHEMA, help="target schema (default: public)")
    parser.add_argument("--table", default=DEFAULT_TABLE, help="target table name")
    args = parser.parse_args(argv)
    if not args.dsn:
        parser.error("give --dsn or set LOCO_POSTGRES_DSN")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        load_parquet(args.parquet, args.dsn, schema=args.schema, table=args.table)
    except DatabaseUnavailableError as error:
        log.error("%s", error)
        return 75  # EX_TEMPFAIL
    except LoadError as error:
        log.error("%s", error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
