"""An idle check worker costs next to nothing: on SQLite it only reads while the queue is
empty (no write lock, no merge of staged registrations), on PostgreSQL it waits for a NOTIFY;
either way a registration sent to it is checked promptly."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event, text

from gateway.services.checking import CheckWorker
from storage.database import reading
from tests.builders import registration
from tests.conftest import sqlite_database
from tests.processes import wait_until

WRITES = ("BEGIN IMMEDIATE", "INSERT", "UPDATE", "DELETE")


class Statements:
    """Every statement ``engine`` sends, as it is sent."""

    def __init__(self, engine: Engine) -> None:
        self.seen: list[str] = []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _connection, _cursor, statement: str, *_: object) -> None:  # type: ignore[no-untyped-def]
        self.seen.append(statement)

    def looks(self) -> int:
        """How often the worker looked at the queue for due days."""
        return sum("EXISTS" in s and "check_queue" in s for s in self.seen)

    def writes(self) -> list[str]:
        return [s for s in self.seen if s.lstrip().upper().startswith(WRITES)]


@contextmanager
def check_worker(engine: Engine, idle_seconds: float) -> Iterator[None]:
    stop = threading.Event()
    thread = threading.Thread(target=CheckWorker(engine).run, args=(stop, idle_seconds))
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()


def test_an_idle_worker_on_sqlite_only_reads_even_while_another_holds_the_write_lock(tmp_path):
    engine = sqlite_database(tmp_path)
    statements = Statements(engine)
    with check_worker(engine, idle_seconds=0.2):
        wait_until(lambda: statements.looks() >= 2, 10, "the worker's first looks")
        before = len(statements.seen)
        holder = sqlite3.connect(tmp_path / "ciao.db", isolation_level=None, timeout=5)
        holder.execute("BEGIN IMMEDIATE")  # the write lock, for a second and a half
        looks = statements.looks()
        time.sleep(1.5)  # the worker goes on meanwhile; nothing here waits for it
        looks_under_lock = statements.looks() - looks
        holder.execute("ROLLBACK")
        holder.close()
        idle = statements.seen[before:]
    engine.dispose()
    assert looks_under_lock >= 3, "the idle worker stopped looking while the lock was held"
    assert [s for s in idle if s.lstrip().upper().startswith(WRITES)] == []
    assert statements.writes() == []  # not even before: an empty queue was never claimed


def checked_within(gateway, seconds: float, reference: str) -> float:  # type: ignore[no-untyped-def]
    """Send one registration; how long from its acknowledgement until it was checked (at
    most ``seconds``)."""
    gateway.client().service.registerPresences(
        PresenceRegistrationRequest=[registration(ClientPresenceRegistrationReference=reference)]
    )
    acknowledged = time.monotonic()

    def checked() -> bool:
        with reading(gateway.engine) as connection:
            return bool(
                connection.execute(
                    text("SELECT validation_runs FROM registrations WHERE client_reference = :r"),
                    {"r": reference},
                ).scalar_one()
            )

    wait_until(checked, seconds, "the check of a registration sent to an idle worker")
    return time.monotonic() - acknowledged


def test_a_registration_sent_to_an_idle_worker_is_checked_promptly(gateway):
    statements = Statements(gateway.engine)
    postgres = gateway.engine.dialect.name == "postgresql"
    # On PostgreSQL the worker would not look on its own for a minute: only the NOTIFY sent
    # when the registration is stored can wake it. On SQLite it looks, backing off to 1 s.
    idle_seconds = 60.0 if postgres else 1.0
    with check_worker(gateway.engine, idle_seconds):
        wait_until(lambda: statements.looks() >= 1, 10, "the worker's first look")
        time.sleep(1.5)  # idle for a while: on SQLite its pauses have grown to the longest
        first = checked_within(gateway, 5, "idle-1")
        time.sleep(0.5)
        second = checked_within(gateway, 5, "idle-2")
    print(f"\nchecked {first:.2f} s and {second:.2f} s after their acknowledgement")
    assert max(first, second) < (2 if postgres else 3)
