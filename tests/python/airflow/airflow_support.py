"""Helpers for the Airflow workflow tests: a throw-away PostgreSQL server and row comparisons."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import duckdb
import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

REPO_ROOT = Path(__file__).resolve().parents[3]
DAG_ID = "user_reel_interest"
SAMPLE_RAW = REPO_ROOT / "data" / "raw"

LOADER = "loco_loader"
LOADER_PASSWORD = "loader p@ss/word"  # special characters on purpose: URIs must encode them
READER = "loco_reader"
READER_PASSWORD = "reader-secret"
SUPERUSER = "postgres"
SUPERUSER_PASSWORD = "superuser-secret"  # every connection, the Unix socket too, needs a password
DATABASE = "loco"

Row = tuple[str, str, bool, bool, Decimal | None, bool]
COLUMNS = "user_uid, reel_uid, liked, unliked, watched_ratio, is_interested"


def find_postgres_bin() -> Path | None:
    """PostgreSQL 15's binaries if there, else the newest installed, else initdb on PATH."""
    candidates = [Path("/usr/lib/postgresql/15/bin")]
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for candidate in candidates:
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    """A PostgreSQL cluster in a temporary folder, on 127.0.0.1 only.

    PostgreSQL refuses to run as root, so when the tests run as root every server command goes
    through ``runuser -u postgres``.
    """

    bin_dir: Path
    base: Path
    port: int

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    def _run(self, *command: str | Path) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *map(str, command)], check=True, capture_output=True, text=True)

    def init(self) -> None:
        self.base.chmod(0o755)  # mkdtemp makes it 700: the postgres user must get in
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        password_file = self.base / "superuser-password"
        password_file.write_text(SUPERUSER_PASSWORD + "\n")
        password_file.chmod(0o600)
        if os.geteuid() == 0:
            shutil.chown(password_file, "postgres", "postgres")
        try:
            self._run(
                self.bin_dir / "initdb",
                "--no-sync",
                "--auth=scram-sha-256",  # no trust anywhere: a wrong password is refused
                f"--username={SUPERUSER}",
                f"--pwfile={password_file}",
                "-D",
                self.data_dir,
            )
        finally:
            password_file.unlink()

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.base} -c fsync=off"
        self._run(
            self.bin_dir / "pg_ctl",
            "-D",
            self.data_dir,
            "-l",
            self.base / "server.log",
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run(self.bin_dir / "pg_ctl", "-D", self.data_dir, "-m", "fast", "-w", "stop")

    def psql(self, *args: str, database: str = "postgres") -> str:
        """Run psql as the superuser over the Unix socket, with its password; raise if it fails."""
        command = [
            str(self.bin_dir / "psql"),
            "-X",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            str(self.base),
            "-p",
            str(self.port),
            "-U",
            SUPERUSER,
            "-d",
            database,
            *args,
        ]
        env = {**os.environ, "PGPASSWORD": SUPERUSER_PASSWORD}
        return subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout

    def dsn(self, user: str, password: str, database: str = DATABASE) -> str:
        """A libpq connection string over TCP, with password authentication."""
        return make_conninfo(
            host="127.0.0.1", port=self.port, dbname=database, user=user, password=password
        )

    def airflow_uri(self, user: str, password: str, database: str = DATABASE) -> str:
        """The same connection as an Airflow connection URI (for AIRFLOW_CONN_...)."""
        credentials = f"{quote(user, safe='')}:{quote(password, safe='')}"
        return f"postgresql://{credentials}@127.0.0.1:{self.port}/{database}"


def parquet_rows(path: Path) -> list[Row]:
    """The rows of a user_reel_interest Parquet file, sorted by key."""
    with duckdb.connect() as con:
        rows = con.execute(f"select {COLUMNS} from read_parquet(?)", [str(path)]).fetchall()
    return sorted(rows, key=lambda row: (row[0], row[1]))


def table_rows(dsn: str, schema: str = "public") -> list[Row] | None:
    """The rows of <schema>.user_reel_interest sorted by key, or None when there is no table."""
    with psycopg.connect(dsn) as conn:
        exists = conn.execute(
            "select to_regclass(format('%%I.user_reel_interest', %s::text))", [schema]
        ).fetchone()[0]
        if exists is None:
            return None
        query = sql.SQL("select {} from {}").format(
            sql.SQL(COLUMNS), sql.Identifier(schema, "user_reel_interest")
        )
        rows = conn.execute(query).fetchall()
    return sorted(rows, key=lambda row: (row[0], row[1]))


def write_parquet(path: Path, rows: list[Row]) -> Path:
    """Write rows with the contract's exact types, as the dbt model does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute(
            "create table t (user_uid varchar, reel_uid varchar, liked boolean, unliked boolean, "
            "watched_ratio decimal(38, 9), is_interested boolean)"
        )
        if rows:
            con.executemany("insert into t values (?, ?, ?, ?, ?, ?)", rows)
        con.execute(f"copy t to '{path}' (format parquet)")
    return path
