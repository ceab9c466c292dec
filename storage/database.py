"""Engine creation and the unit of work: one transaction per request.

SQLite (the default, zero set-up) runs in WAL mode with a busy timeout, and every transaction
starts with ``BEGIN IMMEDIATE`` so that two processes never deadlock upgrading a read lock to a
write lock. PostgreSQL is used when the URL says so.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from storage import notices, staging

SQLITE_BUSY_TIMEOUT_MS = 5000
# Execution option of a connection that only reads (exports): on SQLite it must not take the
# write lock that every other transaction takes from its start.
READ_ONLY = "ciao_read_only"


def normalise_url(url: str) -> str:
    """``postgresql://`` URLs use psycopg 3, the driver the gateway ships with."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun explicitly below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        # Debian's SQLite zeroes every freed page (SQLITE_SECURE_DELETE), so that each merge of
        # staged registrations wrote the staging table's pages to the WAL once more as it
        # emptied them: a quarter of a merge's pages. FAST still clears deleted content within
        # the pages a write touches anyway. What is deleted here is copied elsewhere (staged
        # registrations) or not secret (queued days, used nonces, replaced registries).
        cursor.execute("PRAGMA secure_delete = FAST")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")  # a snapshot; writers go on meanwhile
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_database_engine(url: str) -> Engine:
    """An engine whose errors never carry the values bound to their statement: they are logged,
    and the values are national numbers, usernames and nonces (``hide_parameters``)."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)
        _configure_sqlite(engine)
        return engine
    # Every execution planned with its own values: psycopg prepares a statement on the server
    # once it ran 5 times, and PostgreSQL may then keep a generic plan, blind to the values.
    # A search's page from row 9,500 took 210 ms that way against 7 ms planned for its offset.
    return create_engine(
        url,
        pool_pre_ping=True,
        hide_parameters=True,
        pool_size=5,
        max_overflow=5,
        connect_args={"options": "-c plan_cache_mode=force_custom_plan"},
    )


@contextmanager
def transaction(
    engine: Engine, *, registering: bool = False, merge: bool = True
) -> Iterator[Connection]:
    """A unit of work: committed when the block ends normally, rolled back otherwise. It
    begins by merging the staged registrations (``storage.staging``), so that it finds every
    acknowledged one; a unit of work ``registering`` new ones only leaves them staged, and so
    does one told not to ``merge`` because it writes only to registrations an earlier unit of
    work merged (a check worker's outcomes). Once it has committed, idle check workers are
    woken if it queued days (``storage.notices``)."""
    with _writer_turn(engine), engine.connect() as connection:
        try:
            with connection.begin():
                if merge and not registering:
                    staging.merge(connection)
                yield connection
            notices.send_after_commit(connection)
        finally:
            notices.forget(connection)


@contextmanager
def bookkeeping(engine: Engine) -> Iterator[Connection]:
    """A short unit of work on the gateway's own counters (no registrations): it takes its
    turn to write like any other, but merges no staged registrations first."""
    with _writer_turn(engine), engine.begin() as connection:
        yield connection


@contextmanager
def reading(engine: Engine, *, registrations: bool = True) -> Iterator[Connection]:
    """A unit of work that only reads: a consistent snapshot, which on SQLite takes no write
    lock and waits for no writer (but merges the staged registrations first, if any wait,
    unless it reads no ``registrations``)."""
    connection = engine.connect().execution_options(**{READ_ONLY: True})
    if registrations and staging.waiting(connection):
        connection.close()
        with transaction(engine):
            pass  # which merges them
        connection = engine.connect().execution_options(**{READ_ONLY: True})
    with connection:
        yield connection


def _writer_lock(engine: Engine) -> str | None:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return database + ".writer-lock"


@contextmanager
def _writer_turn(engine: Engine) -> Iterator[None]:
    """On a SQLite file, the gateway's writers (processes and threads) take turns through an
    flock on a file beside the database, so that a waiting writer starts within a fraction of
    a millisecond of the lock coming free. SQLite's own busy handler sleeps 1, 2, 5, 10, 15...
    ms between attempts, which made the latency tail of small requests under two gunicorn
    workers. Any other program using the database still meets SQLite's lock and busy timeout;
    a turn not had within that same timeout fails like a locked database."""
    path = _writer_lock(engine)
    if path is None:
        yield
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _take_turn(descriptor, path)
        yield
    finally:
        os.close(descriptor)  # and with it the lock


def _take_turn(descriptor: int, path: str) -> None:
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    pause = 0.00005
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise OperationalError(
                    "BEGIN IMMEDIATE",
                    None,
                    sqlite3.OperationalError(f"database is locked (writer lock {path})"),
                ) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.0005)


@lru_cache(maxsize=4096)  # a batch shares its creation time and its few work days
def _sqlite_text(value: date | None) -> str | None:
    # The text forms SQLAlchemy itself stores in SQLite, so that its reads see no difference.
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(" ", "microseconds")
    return value.isoformat()


def _as_is(value: date | None) -> date | None:
    return value


def _sqlite_moment(moment: datetime) -> str:
    # _sqlite_text of the naive UTC time, without making that datetime first.
    return moment.astimezone(UTC).isoformat(" ", "microseconds")[:26]


def naive_utc(moment: datetime) -> datetime:
    """``moment`` in UTC without its time zone, as every time is stored."""
    utc = moment.astimezone(UTC)
    # As utc.replace(tzinfo=None), which parses its keywords at several times the cost.
    return datetime.combine(utc.date(), utc.time())


def moment_values(connection: Connection) -> Callable[[datetime], object]:
    """How an aware datetime is passed to ``connection``'s driver as a plain value: its UTC
    time, naive like every stored time, as ``temporal_values`` would pass that."""
    return _sqlite_moment if connection.dialect.name == "sqlite" else naive_utc


def temporal_values(connection: Connection) -> Callable[[date | None], object]:
    """How a date or a (naive UTC) datetime is passed to ``connection``'s driver as a plain
    value: for SQLite, the text SQLAlchemy stores; for the others, as it is."""
    return _sqlite_text if connection.dialect.name == "sqlite" else _as_is


def insert_rows(
    connection: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` of plain values (times and days as ``temporal_values`` gives them)
    into ``columns`` of ``table``, for the hot path: on SQLite by one executemany, on
    PostgreSQL by COPY, which takes a batch of 200 in about 60% of an executemany's time.
    A failure is raised as SQLAlchemy would raise it (IntegrityError, OperationalError...)."""
    names = ", ".join(columns)
    if connection.dialect.name == "sqlite":
        markers = ", ".join(["?"] * len(columns))
        connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({markers})", rows)
        return
    import psycopg  # here: the 9 MiB it takes are not needed on SQLite

    statement = f"COPY {table} ({names}) FROM STDIN"
    try:
        driver = connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as error:
        raise DBAPIError.instance(statement, None, error, psycopg.Error) from error


def execute_many(
    connection: Connection,
    statement: str,
    rows: Sequence[Sequence[Any]],
    temporal: Sequence[int] = (),
) -> None:
    """One executemany at the driver, for the hot path: SQLAlchemy's per-value processing
    costs more than the statement itself on a batch of 200. ``statement`` uses ``?`` markers;
    values are plain Python; ``temporal`` are the positions of dates and (naive UTC)
    datetimes, passed on as ``temporal_values`` says."""
    stamp = temporal_values(connection)
    if temporal and stamp is not _as_is:
        converted = []
        for row in rows:
            values = list(row)
            for position in temporal:
                values[position] = stamp(values[position])
            converted.append(values)
        rows = converted
    if connection.dialect.name != "sqlite":
        statement = statement.replace("?", "%s")
    connection.exec_driver_sql(statement, [tuple(row) for row in rows])


def at_driver(connection: Connection, statement: str, parameters: Sequence[Any] = ()) -> list[Any]:
    """The rows that ``statement`` (``?`` markers, plain values) reads in ``connection``'s
    transaction, for the hot path's look-ups: on SQLite straight at the driver's cursor, as
    SQLAlchemy's handling of a statement (context, events, result) cost ten times SQLite's
    own work on a look-up by a unique key (28 us for a prebuilt select against 3 us on the
    development machine). Writes stay with SQLAlchemy, where its events see them. A failure
    is raised as SQLAlchemy would raise it (OperationalError...), without the values."""
    if connection.dialect.name != "sqlite":
        return list(connection.exec_driver_sql(statement.replace("?", "%s"), tuple(parameters)))
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        return list(cursor.execute(statement, parameters))
    except sqlite3.Error as error:
        raise DBAPIError.instance(statement, None, error, sqlite3.Error) from error
    finally:
        cursor.close()
