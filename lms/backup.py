"""Backing up the portal's database to one file and restoring it, for SQLite and PostgreSQL.

Pure operations on a SQLAlchemy engine (no click, no Flask): `backup_database`, `restore_database`.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CLIENT_PACKAGE = "postgresql-client"


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why, for a human."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    dialect: str
    bytes: int
    row_counts: dict[str, int]  # table -> rows, as saved in the file
    revision: str | None  # the Alembic revision of the saved schema, when it has one

    @property
    def tables(self) -> int:
        return len(self.row_counts)

    @property
    def rows(self) -> int:
        return sum(self.row_counts.values())


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    dialect: str
    bytes: int
    row_counts: dict[str, int]  # table -> rows, in the database after the restore
    revision: str | None
    safety_copy: Path | None  # SQLite: the database as it was just before the restore

    @property
    def tables(self) -> int:
        return len(self.row_counts)

    @property
    def rows(self) -> int:
        return sum(self.row_counts.values())


def backup_database(
    engine: Engine, path: str | os.PathLike, *, force: bool = False
) -> BackupResult:
    """Write a consistent copy of the database behind `engine` to `path`, while it is in use.

    The copy is written next to `path` under a temporary name, checked, then renamed, so `path`
    is either the complete backup or untouched. An existing `path` is replaced only with `force`.
    """
    target = Path(path).expanduser().absolute()
    if target.is_dir():
        raise BackupError(f"{target} is a folder; give the name of the backup file to write.")
    if target.exists() and not force:
        raise BackupError(f"{target} already exists; use --force to replace it.")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    dialect = engine.dialect.name
    if dialect == "sqlite":
        return _sqlite_backup(engine, target, force)
    if dialect == "postgresql":
        return _pg_backup(engine, target, force)
    raise BackupError(f"Backing up {dialect} databases is not supported (only SQLite, PostgreSQL).")


def restore_database(engine: Engine, path: str | os.PathLike) -> RestoreResult:
    """Replace every table of the database behind `engine` with the backup at `path`.

    The backup is checked first; when it is not a backup of this portal nothing is changed.
    The replacement happens in one transaction. Connections in `engine`'s pool are discarded.
    """
    source = Path(path).expanduser().absolute()
    if not source.is_file():
        raise BackupError(f"{source} does not exist or is not a file.")
    dialect = engine.dialect.name
    if dialect == "sqlite":
        return _sqlite_restore(engine, source)
    if dialect == "postgresql":
        return _pg_restore(engine, source)
    raise BackupError(f"Restoring {dialect} databases is not supported (only SQLite, PostgreSQL).")


# --- shared ---------------------------------------------------------------------------------


def row_counts(connection: Connection) -> dict[str, int]:
    """Rows in every table of the connection's default schema, by table name."""
    counts = {}
    for name in sorted(sa.inspect(connection).get_table_names()):
        query = sa.select(sa.func.count()).select_from(sa.table(name))
        counts[name] = connection.execute(query).scalar_one()
    return counts


def _revision(connection: Connection, counts: dict[str, int]) -> str | None:
    if "alembic_version" not in counts:
        return None
    query = sa.text("SELECT version_num FROM alembic_version")
    return connection.execute(query).scalars().first()


def _temporary_file(target: Path) -> Path:
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    return Path(name)


def _move_into_place(temporary: Path, target: Path, force: bool) -> None:
    """Rename the finished file to its name, atomically, and make the rename durable."""
    if target.exists() and not force:
        raise BackupError(f"{target} already exists; use --force to replace it.")
    os.replace(temporary, target)
    try:
        folder = os.open(target.parent, os.O_RDONLY)
    except OSError:
        return  # a folder that cannot be opened cannot be synced either; the rename stands
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if database in (None, "", ":memory:") or engine.url.query.get("mode") == "memory":
        raise BackupError(
            "The database is an in-memory SQLite database: there is no file to back up or "
            "restore. Set LMS_DATABASE_URL to a file (sqlite:///path/lms.sqlite3)."
        )
    if database.startswith("file:"):
        raise BackupError("SQLite URI filenames (file:...) are not supported; use sqlite:///path.")
    return Path(database).expanduser().absolute()


def _sqlite_connect(path: Path, mode: str) -> sqlite3.Connection:
    """Open an existing file (mode "ro" or "rw"); sqlite3 would otherwise create an empty one."""
    uri = f"{path.as_uri()}?mode={mode}"
    connection = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
    connection.execute("PRAGMA busy_timeout=30000")
    return connection


def _sqlite_check(connection: sqlite3.Connection, path: Path) -> None:
    rows = connection.execute("PRAGMA integrity_check").fetchall()
    if [tuple(r) for r in rows] != [("ok",)]:
        found = "; ".join(str(r[0]) for r in rows[:5])
        raise BackupError(f"{path} failed the SQLite integrity check: {found}")


def _sqlite_counts(path: Path) -> tuple[dict[str, int], str | None]:
    engine = sa.create_engine(f"sqlite:///{path}", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            counts = row_counts(connection)
            return counts, _revision(connection, counts)
    finally:
        engine.dispose()


def _sqlite_copy(source: Path, temporary: Path) -> None:
    """Copy a live database into `temporary` with SQLite's online backup API, then check it."""
    src = _sqlite_connect(source, "rw")
    try:
        dst = sqlite3.connect(temporary, isolation_level=None)
        try:
            # All pages in one step: one read transaction, so one consistent snapshot. In WAL
            # mode the portal keeps reading and writing meanwhile.
            src.backup(dst)
            # A backup is one self-contained file, without -wal and -shm companions.
            dst.execute("PRAGMA journal_mode=DELETE")
            _sqlite_check(dst, temporary)
        finally:
            dst.close()
    finally:
        src.close()
    with open(temporary, "rb+") as f:
        os.fsync(f.fileno())


def _sqlite_backup(engine: Engine, target: Path, force: bool) -> BackupResult:
    source = _sqlite_file(engine)
    if not source.is_file():
        raise BackupError(f"The database file {source} does not exist.")
    if source == target:
        raise BackupError("The backup cannot be written over the database itself.")
    temporary = _temporary_file(target)
    try:
        _sqlite_copy(source, temporary)
        counts, revision = _sqlite_counts(temporary)
        _move_into_place(temporary, target, force)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"Could not back up {source}: {exc}") from exc
    finally:
        temporary.unlink(missing_ok=True)
    return BackupResult(target, "sqlite", target.stat().st_size, counts, revision)


def _sqlite_validate_backup(path: Path) -> None:
    """Refuse anything that is not a sound SQLite file holding the portal's schema."""
    with open(path, "rb") as f:
        if f.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{path} is not an SQLite database; nothing was changed.")
    try:
        connection = _sqlite_connect(path, "ro")
        try:
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if "alembic_version" not in tables:
                raise BackupError(
                    f"{path} is an SQLite database but not a backup of this portal (it has no "
                    "alembic_version table); nothing was changed."
                )
            try:
                _sqlite_check(connection, path)
            except BackupError as exc:
                raise BackupError(f"{exc}\nNothing was changed.") from None
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise BackupError(
            f"{path} cannot be read as an SQLite database ({exc}); nothing was changed."
        ) from exc


def _sqlite_restore(engine: Engine, source: Path) -> RestoreResult:
    live = _sqlite_file(engine)
    if source == live:
        raise BackupError("That file is the live database itself; give a backup file.")
    _sqlite_validate_backup(source)
    engine.dispose()  # pooled connections would only wait on the restore's lock
    safety_copy = None
    if live.is_file():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        safety_copy = live.with_name(f"{live.name}.before-restore-{stamp}")
        backup_database(engine, safety_copy)
    try:
        src = _sqlite_connect(source, "ro")
        try:
            dst = sqlite3.connect(live, timeout=30, isolation_level=None)
            try:
                dst.execute("PRAGMA busy_timeout=30000")
                # Replaces the live database page by page inside one write transaction: other
                # connections see either all of the old data or all of the restored data.
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        kept = f" The database before the restore is in {safety_copy}." if safety_copy else ""
        raise BackupError(f"Could not restore {source} into {live}: {exc}.{kept}") from exc
    engine.dispose()
    with engine.connect() as connection:
        counts = row_counts(connection)
        revision = _revision(connection, counts)
    engine.dispose()
    return RestoreResult(source, "sqlite", source.stat().st_size, counts, revision, safety_copy)


# --- PostgreSQL -----------------------------------------------------------------------------


def libpq_url(url: sa.URL) -> tuple[str, dict[str, str]]:
    """The engine's URL as libpq understands it (postgresql://, no driver, no password).

    The password is returned apart, as PGPASSWORD for the environment, so it never shows on a
    command line (where `ps` would show it to every user of the machine).
    """
    env = {}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = sa.URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return plain.render_as_string(hide_password=False), env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools (Debian/Ubuntu: "
            f"apt-get install {PG_CLIENT_PACKAGE}), in a version at least that of the server."
        )
    return found


def _pg_run(arguments: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess:
    try:
        # The executable comes from shutil.which and every argument is passed as a list item:
        # no shell is involved.
        completed = subprocess.run(  # noqa: S603
            arguments,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:
        raise BackupError(f"{what} could not be started: {exc}") from exc
    if completed.returncode != 0:
        details = completed.stderr.strip() or completed.stdout.strip() or "no message"
        raise BackupError(f"{what} failed (exit code {completed.returncode}): {details}")
    return completed


# A table entry of `pg_restore --list`: "215; 1259 16390 TABLE public completion postgres" or
# "3380; 0 16390 TABLE DATA public completion postgres".
_ARCHIVE_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?:DATA )?\S+ (\S+) ", re.MULTILINE)


def _pg_archive_tables(path: Path, env: dict[str, str]) -> set[str]:
    """The tables whose data a custom-format archive holds (`pg_restore --list`)."""
    listing = _pg_run(
        [_pg_tool("pg_restore"), "--list", str(path)],
        env,
        f"Reading {path} as a pg_dump archive",
    ).stdout
    return {m.group(1) for m in _ARCHIVE_TABLE.finditer(listing)}


def _pg_backup(engine: Engine, target: Path, force: bool) -> BackupResult:
    pg_dump = _pg_tool("pg_dump")
    _pg_tool("pg_restore")  # checks the finished archive; better to know now
    url, env = libpq_url(engine.url)
    temporary = _temporary_file(target)
    try:
        # The counts and pg_dump share one snapshot, so they describe exactly the same data.
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            snapshot = connection.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            counts = row_counts(connection)
            revision = _revision(connection, counts)
            _pg_run(
                [pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                 "--file", str(temporary), url],
                env,
                "pg_dump",
            )  # fmt: skip
            connection.rollback()
        _pg_archive_tables(temporary, env)
        with open(temporary, "rb+") as f:
            os.fsync(f.fileno())
        _move_into_place(temporary, target, force)
    except sa.exc.SQLAlchemyError as exc:
        raise BackupError(f"Could not read the database: {exc}") from exc
    finally:
        temporary.unlink(missing_ok=True)
    return BackupResult(target, "postgresql", target.stat().st_size, counts, revision)


def _pg_restore(engine: Engine, source: Path) -> RestoreResult:
    pg_restore = _pg_tool("pg_restore")
    url, env = libpq_url(engine.url)
    try:
        tables = _pg_archive_tables(source, env)
    except BackupError as exc:
        raise BackupError(f"{exc}; nothing was changed.") from None
    if "alembic_version" not in tables:
        raise BackupError(
            f"{source} is a pg_dump archive but not a backup of this portal (it has no "
            "alembic_version table); nothing was changed."
        )
    engine.dispose()  # a pooled connection holding a lock would block the restore
    try:
        _pg_run(
            [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction",
             "--exit-on-error", "--dbname", url, str(source)],
            env,
            "pg_restore",
        )  # fmt: skip
    except BackupError as exc:
        raise BackupError(
            f"{exc}\nNothing was changed: the restore runs in one transaction."
        ) from None
    try:
        with engine.connect() as connection:
            counts = row_counts(connection)
            revision = _revision(connection, counts)
    except sa.exc.SQLAlchemyError as exc:
        raise BackupError(f"The restore finished but the database cannot be read: {exc}") from exc
    finally:
        engine.dispose()
    return RestoreResult(source, "postgresql", source.stat().st_size, counts, revision, None)
