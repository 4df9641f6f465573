"""Database engine behaviour that differs between SQLite and PostgreSQL.

SQLite gets WAL, a busy timeout, foreign keys and explicit BEGINs so savepoints work; anything
but a page view starts with BEGIN IMMEDIATE, which makes concurrent writers queue instead of
failing with "database is locked" when a read transaction tries to become a write.
"""

from __future__ import annotations

from flask import g, has_request_context, request
from sqlalchemy import bindparam, event, select
from sqlalchemy.engine import Engine, Row
from sqlalchemy.orm import make_transient_to_detached

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def record_on_read() -> None:
    """Declare that this GET writes: the API records each read (audit entry, token last use).

    Call it before the request's first query. Its transaction is then committed like a form
    post's (see commit_or_roll_back) and, on SQLite, takes the write lock up front.
    """
    g.lms_records_reads = True


def request_writes() -> bool:
    """Whether the current request's transaction is one that writes and is committed."""
    return request.method not in READ_METHODS or bool(g.get("lms_records_reads"))


def engine_options(uri: str) -> dict:
    if not uri.startswith("sqlite"):
        # A server may drop idle connections (restarts, firewalls): test each one before use.
        return {"pool_pre_ping": True}
    return {"connect_args": {"timeout": 30, "check_same_thread": False}}


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Page views read without locking; everything else (form posts, CLI commands, jobs)
        # takes the write lock up front, so two writers queue instead of deadlocking.
        writes = not has_request_context() or request_writes()
        if writes and has_request_context() and g.get("lms_reading_only"):
            writes = False  # e.g. an export streaming after its audit entry was committed
        # Sent to the driver directly: every request runs this, and as a SQLAlchemy statement
        # (events, cursor, result) it cost 3% of a module page view.
        connection.connection.dbapi_connection.execute("BEGIN IMMEDIATE" if writes else "BEGIN")


SEARCH_MAX = 100  # characters of a search term that count; nobody's name or title is longer


def contains_pattern(text: str) -> str:
    """A LIKE pattern (escape character backslash) matching `text` anywhere, case as given.

    % and _ are searched for as themselves, and the term is cut to SEARCH_MAX characters: SQLite
    refuses LIKE patterns over 50,000 bytes, and a pasted page of text finds nothing anyway.
    """
    term = text[:SEARCH_MAX].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{term}%"


DB_INT_MAX = 2**31 - 1  # the largest INTEGER every supported database stores


def whole_number(value, default: int | None = None, *, low: int = 1, high: int = DB_INT_MAX):
    """An id or page number from a URL: `default` unless it is a whole number in low..high
    (a number beyond what the database stores would otherwise fail the query, not find nothing)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


class CoreLoader:
    """Load one row of a model by primary key through Core, then hand the ORM its object.

    For the per-request reads (the signed-in user): the ORM's own query spends most of its time
    setting up the load, not in the database. The object returned is a normal persistent instance
    in the request's session, as if the ORM had loaded it: unchanged (no UPDATE at commit),
    relationships loading lazily, later changes tracked and flushed as usual.
    """

    def __init__(self, model):
        from lms.extensions import db

        self.db = db
        self.model = model
        mapper = model.__mapper__
        (pk,) = mapper.primary_key
        properties = list(mapper.column_attrs)
        self.keys = [prop.key for prop in properties]
        self.pk_index = self.keys.index(mapper.get_property_by_column(pk).key)
        self.statement = select(*(prop.columns[0] for prop in properties)).where(
            pk == bindparam("pk")
        )
        self.manager = mapper.class_manager

    def row(self, pk) -> Row | None:
        """The row as a named tuple (attribute names as fields), or None."""
        connection = self.db.session.connection()
        return connection.execute(self.statement, {"pk": pk}).first()

    def attach(self, row: Row):
        """The session's instance for this row: the one already loaded, else one built from it."""
        session = self.db.session()
        key = (self.model, (row[self.pk_index],), None)
        present = session.identity_map.get(key)
        if present is not None:
            return present
        instance = self.manager.new_instance()
        instance.__dict__.update(zip(self.keys, row, strict=True))
        make_transient_to_detached(instance)  # loaded, unchanged, keyed by its primary key
        session.add(instance)
        return instance
