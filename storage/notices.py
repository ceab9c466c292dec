"""Waking idle check workers when days are queued, on PostgreSQL: LISTEN/NOTIFY.

A unit of work that queued days sends ``NOTIFY`` on its connection once it has committed
(``storage.database.transaction``), so that a worker it wakes finds them, and so that the
lock PostgreSQL takes to order notifications is held for a statement that writes nothing
rather than across the flush of the registrations' commit. A check worker waits on a
connection of its own that LISTENs. A notice that could not be sent is no loss: the queue
is in the database, and an idle worker looks at it at least every few seconds anyway.

SQLite has no such thing: its idle workers look at the queue, reading only, less and less
often while it stays empty (``gateway.services.checking``).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

log = logging.getLogger("ciao.checks")

CHANNEL = "ciao_check_queue"
_QUEUED = "ciao_days_queued"
# How long a listener blocks at once, so that a stop is noticed within it.
_SLICE_SECONDS = 0.25
# How often a listener whose connection broke tries to listen again.
_RETRY_SECONDS = 1.0


def used(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def days_queued(connection: Connection) -> None:
    """Remember that ``connection``'s transaction queued days to check."""
    if connection.dialect.name == "postgresql":
        connection.info[_QUEUED] = True


def send_after_commit(connection: Connection) -> None:
    """Wake the idle check workers if the transaction that just committed on ``connection``
    queued days. Nothing is raised: what was committed stays committed and acknowledged."""
    if not connection.info.pop(_QUEUED, False):
        return
    try:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.exec_driver_sql(f"NOTIFY {CHANNEL}")
    except DBAPIError as error:
        log.warning(
            "idle check workers were not woken (%s); they look at the queue within seconds",
            type(error.orig).__name__,
        )


def forget(connection: Connection) -> None:
    """Drop what ``connection``'s transaction queued, when it did not commit."""
    connection.info.pop(_QUEUED, None)


class Listener:
    """A connection of its own, out of the engine's pool, that LISTENs for queued days;
    opened again after it broke (a database restart), at the next wait."""

    def __init__(self, engine: Engine) -> None:
        import psycopg  # here: the 9 MiB it takes are not needed on SQLite

        self._engine = engine
        self._failures: tuple[type[Exception], ...] = (psycopg.Error, SQLAlchemyError)
        self._raw: Any = None
        self._driver: Any = None
        self._failing = False

    def wait(self, stop: threading.Event, seconds: float) -> None:
        """Wait up to ``seconds`` for a notice, or until ``stop`` is set, or until it has
        just begun to listen (what was queued before was not announced to it). All notices
        waiting are taken at once: one look at the queue answers them all."""
        deadline = time.monotonic() + seconds
        while not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                if self._raw is None:
                    self._listen()
                    return
                driver = self._driver
                if list(driver.notifies(timeout=min(left, _SLICE_SECONDS), stop_after=1)):
                    list(driver.notifies(timeout=0))
                    return
            except self._failures as error:
                if not self._failing:
                    log.warning(
                        "the check worker's LISTEN connection failed (%s); it tries again "
                        "every %.0f s, and looks at the queue every %.0f s meanwhile",
                        type(error).__name__,
                        _RETRY_SECONDS,
                        seconds,
                    )
                self._failing = True
                self.close()
                stop.wait(min(left, _RETRY_SECONDS))

    def close(self) -> None:
        raw, self._raw = self._raw, None
        if raw is not None:
            with contextlib.suppress(*self._failures):
                raw.close()

    def _listen(self) -> None:
        raw = self._engine.raw_connection()
        driver: Any = raw.driver_connection
        raw.detach()  # LISTEN stays with the connection: it must not go back to the pool
        self._raw, self._driver = raw, driver
        driver.autocommit = True
        driver.execute(f"LISTEN {CHANNEL}")
        self._failing = False
