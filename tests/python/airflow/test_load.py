"""The loader against a real PostgreSQL server: atomic swap, refusals, errors, privileges."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import yaml
from airflow_support import (
    LOADER_PASSWORD,
    REPO_ROOT,
    SUPERUSER_PASSWORD,
    PostgresServer,
    parquet_rows,
    table_rows,
    write_parquet,
)
from psycopg import sql
from psycopg.conninfo import make_conninfo

from loco_clips.load import (
    EXPECTED_COLUMNS,
    DatabaseUnavailableError,
    InputFileError,
    LoadError,
    SchemaMismatchError,
    load_parquet,
    main,
)

PASSWORDS = {"loco_loader": LOADER_PASSWORD, "postgres": SUPERUSER_PASSWORD}
ROWS = [
    ("u1", "r1", True, False, Decimal("0.750000000"), True),
    ("u1", "r2", False, True, None, False),
    ("u2", "r1", False, False, Decimal("0.123456789"), False),
    ('u,3 "quoted"', "r\n4", False, False, Decimal("1.000000000"), False),
    ("", "r5", False, False, Decimal("0E-9"), False),
]


@pytest.fixture
def loaded(tmp_path: Path, loader_dsn: str, schema: str) -> list:
    """A table already loaded from ROWS: what every failure must leave untouched."""
    load_parquet(write_parquet(tmp_path / "first.parquet", ROWS), loader_dsn, schema=schema)
    rows = table_rows(loader_dsn, schema)
    assert rows == sorted(ROWS, key=lambda row: (row[0], row[1]))
    return rows


def test_load_copies_the_parquet_file_row_for_row(tmp_path: Path, loader_dsn: str, schema: str):
    parquet = write_parquet(tmp_path / "rows.parquet", ROWS)
    result = load_parquet(parquet, loader_dsn, schema=schema)
    assert result.rows == len(ROWS)
    assert table_rows(loader_dsn, schema) == parquet_rows(parquet)


@pytest.mark.parametrize("folder", ["out[1]", "out*", "out?"])
def test_a_path_with_glob_characters_loads_that_file_only(
    tmp_path: Path, loader_dsn: str, schema: str, folder: str
):
    """`[1]`, `*` and `?` in the path are characters, not a pattern matching a neighbour."""
    write_parquet(tmp_path / "out1" / "rows.parquet", ROWS[:1])
    write_parquet(tmp_path / "outX" / "rows.parquet", ROWS[:2])
    parquet = write_parquet(tmp_path / folder / "rows.parquet", ROWS)
    assert load_parquet(parquet, loader_dsn, schema=schema).rows == len(ROWS)
    assert table_rows(loader_dsn, schema) == sorted(ROWS, key=lambda row: (row[0], row[1]))


def test_table_has_the_contract_columns_and_primary_key(
    tmp_path: Path, loader_dsn: str, schema: str, loaded: list
):
    with psycopg.connect(loader_dsn) as conn:
        columns = conn.execute(
            "select column_name, data_type, numeric_precision, numeric_scale, is_nullable "
            "from information_schema.columns where table_schema = %s "
            "and table_name = 'user_reel_interest' order by ordinal_position",
            [schema],
        ).fetchall()
        key = conn.execute(
            "select array_agg(a.attname order by array_position(c.conkey, a.attnum)) "
            "from pg_constraint c join pg_attribute a "
            "on a.attrelid = c.conrelid and a.attnum = any(c.conkey) "
            "where c.conrelid = to_regclass(%s) and c.contype = 'p'",
            [f"{schema}.user_reel_interest"],
        ).fetchone()[0]
    assert [column[0] for column in columns] == list(EXPECTED_COLUMNS)
    assert ("watched_ratio", "numeric", 38, 9, "YES") in columns
    assert {name for name, *_, nullable in columns if nullable == "NO"} == {
        "user_uid",
        "reel_uid",
        "liked",
        "unliked",
        "is_interested",
    }
    assert key == ["user_uid", "reel_uid"]


def test_reloading_replaces_the_rows_and_is_idempotent(
    tmp_path: Path, loader_dsn: str, schema: str, loaded: list
):
    second = write_parquet(tmp_path / "second.parquet", ROWS[:2])
    load_parquet(second, loader_dsn, schema=schema)
    load_parquet(second, loader_dsn, schema=schema)
    assert table_rows(loader_dsn, schema) == parquet_rows(second)
    with psycopg.connect(loader_dsn) as conn:
        leftovers = conn.execute(
            "select table_name from information_schema.tables where table_schema = %s", [schema]
        ).fetchall()
    assert leftovers == [("user_reel_interest",)]


def test_a_reader_waiting_on_the_swap_gets_the_new_table_not_an_error(
    tmp_path: Path, loader_dsn: str, schema: str, loaded: list
):
    new = write_parquet(tmp_path / "new.parquet", ROWS[:1])
    count = sql.SQL("select count(*) from {}").format(sql.Identifier(schema, "user_reel_interest"))
    seen: list = []

    def read() -> None:
        with psycopg.connect(loader_dsn) as conn:
            seen.append(conn.execute(count).fetchone()[0])

    with psycopg.connect(loader_dsn) as long_reader:
        assert long_reader.execute(count).fetchone()[0] == len(ROWS)  # holds its lock till commit
        loader = threading.Thread(
            target=load_parquet, args=(new, loader_dsn), kwargs={"schema": schema}
        )
        loader.start()
        wait_for_lock_waiters(loader_dsn, 1)  # the swap waits for the long reader
        reader = threading.Thread(target=read)
        reader.start()
        wait_for_lock_waiters(loader_dsn, 2)  # a new reader queues behind the swap
        assert seen == []
        long_reader.commit()
    loader.join(timeout=30)
    reader.join(timeout=30)
    assert seen == [1]
    assert table_rows(loader_dsn, schema) == parquet_rows(new)


def wait_for_lock_waiters(dsn: str, count: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    with psycopg.connect(dsn, autocommit=True) as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute("select count(*) from pg_locks where not granted").fetchone()[0]
            if waiting >= count:
                return
            time.sleep(0.05)
    raise AssertionError(f"fewer than {count} sessions waiting on a lock after {timeout} s")


def test_missing_parquet_file_is_refused_and_table_kept(
    tmp_path: Path, loader_dsn: str, schema: str, loaded: list
):
    with pytest.raises(InputFileError, match="not found"):
        load_parquet(tmp_path / "absent.parquet", loader_dsn, schema=schema)
    assert table_rows(loader_dsn, schema) == loaded


@pytest.mark.parametrize(
    "make_file",
    [
        pytest.param(lambda path: path.write_bytes(b"") or path, id="zero_bytes"),
        pytest.param(lambda path: write_parquet(path, []), id="no_rows"),
        pytest.param(
            lambda path: write_parquet(path, [(None, None, None, None, None, None)]),
            id="dbt_duckdb_all_null_sentinel_row",
        ),
        pytest.param(lambda path: path.write_text("not parquet") and path, id="not_parquet"),
    ],
)
def test_empty_or_unreadable_parquet_is_refused_and_table_kept(
    tmp_path: Path, loader_dsn: str, schema: str, loaded: list, make_file
):
    parquet = make_file(tmp_path / "bad.parquet")
    with pytest.raises(InputFileError):
        load_parquet(parquet, loader_dsn, schema=schema)
    assert table_rows(loader_dsn, schema) == loaded


@pytest.mark.parametrize(
    "row",
    [
        pytest.param((None, "r9", False, False, None, False), id="null_user_uid"),
        pytest.param(("u9", None, False, False, None, False), id="null_reel_uid"),
    ],
)
def test_one_null_key_is_refused_before_loading_and_table_kept(
    tmp_path: Path, loader_dsn: str, schema: str, loaded: list, row: tuple
):
    """One NULL key is enough: the file is refused before the database is touched."""
    parquet = write_parquet(tmp_path / "null_key.parquet", [ROWS[0], row])
    with pytest.raises(InputFileError, match="1 of 2 rows have a NULL user_uid or reel_uid"):
        load_parquet(parquet, loader_dsn, schema=schema)
    assert table_rows(loader_dsn, schema) == loaded


def test_lock_timeout_is_a_transient_error_and_table_kept(
    tmp_path: Path, loader_dsn: str, schema: str, loaded: list
):
    """A reader holding the table past lock_timeout: the swap gives up, worth retrying later."""
    new = write_parquet(tmp_path / "new.parquet", ROWS[:1])
    count = sql.SQL("select count(*) from {}").format(sql.Identifier(schema, "user_reel_interest"))
    with psycopg.connect(loader_dsn) as long_reader:
        long_reader.execute(count)  # holds its lock until the end of its transaction
        with pytest.raises(DatabaseUnavailableError, match="LockNotAvailable"):
            load_parquet(new, loader_dsn, schema=schema, lock_timeout="200ms")
        long_reader.rollback()
    assert table_rows(loader_dsn, schema) == loaded


def test_schema_mismatch_is_refused_and_table_kept(
    tmp_path: Path, loader_dsn: str, schema: str, loaded: list
):
    import duckdb

    parquet = tmp_path / "wrong.parquet"
    with duckdb.connect() as con:
        con.execute(
            "copy (select 'u1' as user_uid, 'r1' as reel_uid, true as liked, false as unliked, "
            f"0.5::double as watched_ratio, true as is_interested, 1 as extra) to '{parquet}'"
        )
    with pytest.raises(SchemaMismatchError) as error:
        load_parquet(parquet, loader_dsn, schema=schema)
    assert "watched_ratio is DOUBLE, expected DECIMAL(38,9)" in str(error.value)
    assert "unexpected columns ['extra']" in str(error.value)
    assert table_rows(loader_dsn, schema) == loaded


def test_duplicate_keys_fail_permanently_and_table_kept(
    tmp_path: Path, loader_dsn: str, schema: str, loaded: list
):
    parquet = write_parquet(tmp_path / "dupes.parquet", [ROWS[0], ROWS[0]])
    with pytest.raises(LoadError, match="UniqueViolation"):
        load_parquet(parquet, loader_dsn, schema=schema)
    assert table_rows(loader_dsn, schema) == loaded


def test_unreachable_database_is_a_transient_error(tmp_path: Path, postgres: PostgresServer):
    parquet = write_parquet(tmp_path / "rows.parquet", ROWS)
    closed_port = postgres.dsn("x", "y").replace(f"port={postgres.port}", "port=1")
    with pytest.raises(DatabaseUnavailableError, match="PostgreSQL unavailable"):
        load_parquet(parquet, closed_port, connect_timeout=2)


def test_wrong_password_is_a_permanent_error(tmp_path: Path, postgres: PostgresServer):
    parquet = write_parquet(tmp_path / "rows.parquet", ROWS)
    with pytest.raises((LoadError, DatabaseUnavailableError)) as error:
        load_parquet(parquet, postgres.dsn("loco_loader", "wrong"))
    assert isinstance(error.value, LoadError), "a wrong password will not fix itself"
    assert "password authentication failed" in str(error.value)


@pytest.mark.parametrize("user", ["loco_loader", "postgres"])
def test_the_server_refuses_a_wrong_password_on_tcp_and_on_the_socket(
    postgres: PostgresServer, user: str
):
    """The test server authenticates like the documented recipe (scram-sha-256, no trust)."""
    for host in ("127.0.0.1", str(postgres.base)):
        conninfo = make_conninfo(
            host=host, port=postgres.port, dbname="postgres", user=user, password="wrong"
        )
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(conninfo, connect_timeout=5).close()
    with psycopg.connect(postgres.dsn(user, PASSWORDS[user], database="postgres")) as connection:
        assert connection.execute("select current_user").fetchone() == (user,)


def test_readonly_role_reads_but_cannot_write_even_after_reloads(
    tmp_path: Path, loader_dsn: str, readonly_role: str
):
    parquet = write_parquet(tmp_path / "rows.parquet", ROWS)
    load_parquet(parquet, loader_dsn)
    load_parquet(parquet, loader_dsn)  # the swap must carry the reader's grant over
    assert table_rows(readonly_role) == parquet_rows(parquet)
    writes = [
        "insert into user_reel_interest values ('x', 'y', false, false, null, false)",
        "update user_reel_interest set liked = not liked",
        "delete from user_reel_interest",
        "truncate user_reel_interest",
        "drop table user_reel_interest",
        "create table public.mine (id int)",
    ]
    for statement in writes:
        with (
            psycopg.connect(readonly_role) as conn,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
        ):
            conn.execute("set transaction read write")  # not even without the read-only default
            conn.execute(statement)
    assert table_rows(loader_dsn) == parquet_rows(parquet)


def test_expected_columns_match_the_dbt_model_contract():
    models = yaml.safe_load((REPO_ROOT / "models" / "marts" / "_marts__models.yml").read_text())
    model = next(m for m in models["models"] if m["name"] == "user_reel_interest")

    def parquet_type(data_type: str) -> str:
        name = data_type.replace(" ", "").upper()
        return {"STRING": "VARCHAR", "TEXT": "VARCHAR"}.get(name, name)  # portable type names

    contract = {
        column["name"]: (
            parquet_type(column["data_type"]),
            any(c["type"] == "not_null" for c in column.get("constraints", [])),
        )
        for column in model["columns"]
    }
    ours = {
        name: (parquet_type, pg_type.endswith("not null"))
        for name, (parquet_type, pg_type) in EXPECTED_COLUMNS.items()
    }
    assert ours == contract


def test_cli_exit_code_tells_permanent_from_transient(
    tmp_path: Path, loader_dsn: str, postgres: PostgresServer, schema: str
):
    parquet = str(write_parquet(tmp_path / "rows.parquet", ROWS))
    closed_port = postgres.dsn("x", "y").replace(f"port={postgres.port}", "port=1")
    assert main([parquet, "--dsn", loader_dsn, "--schema", schema]) == 0
    assert main([str(tmp_path / "absent.parquet"), "--dsn", loader_dsn]) == 1
    assert main([parquet, "--dsn", closed_port]) == 75
    assert table_rows(loader_dsn, schema) == parquet_rows(Path(parquet))
