"""What bounds the ingest ratio: of the gateway's handling of one registerPresences of 200
registrations on SQLite, how much is lxml's parse and XSD validation (the ratio's baseline)
and how much is SQLite alone storing the batch, timed in turns in one run.

SQLite's share is measured without any Python of ours: the statements the gateway sent for
one batch (its staged registrations, the check queue's worker days) are caught at the driver
and replayed into a second database of the same schema (new ids each time), each in a
transaction of its own, committed, with the staged registrations merged as often as the
gateway merges them. What neither covers is the gateway's Python: decoding, rows, answer,
authentication, WSGI."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, event

from bench.common import envelope, gateway_app, median_seconds, say, scratch, wsgi_caller
from bench.ingest import lxml_baseline
from storage import staging

_INSERTS = ("INSERT INTO staged_registrations (id,", "INSERT INTO registrations (id,")


def _batch_statements(place: Any, body: bytes) -> list[tuple[str, Sequence[Sequence[Any]]]]:
    """The executemany statements the gateway runs for ``body``, with their rows."""
    caught: list[tuple[str, Sequence[Sequence[Any]]]] = []

    def catch(
        _connection: Any, _cursor: Any, statement: str, rows: Any, _context: Any, many: bool
    ) -> None:
        if many:
            caught.append((statement, rows))

    event.listen(place.engine, "before_cursor_execute", catch)
    try:
        wsgi_caller(gateway_app(place.settings, place.engine), body)()
    finally:
        event.remove(place.engine, "before_cursor_execute", catch)
    if not caught or not caught[0][0].startswith(_INSERTS):
        raise RuntimeError(f"expected the registrations' insert first, got {caught[:1]!r}")
    return caught


def sqlite_alone(place: Any, body: bytes) -> tuple[Callable[[], None], Connection]:
    """Storing ``body``'s batch the way the gateway's storage does, statements only, in the
    database of ``place`` (staged, and merged as often as the gateway merges); and the
    connection it uses, to close."""
    (insert, registrations), *others = _batch_statements(place, body)
    connection = place.engine.connect()
    connection.rollback()
    driver = connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    # Ids go on from the gateway's own batch, the only one stored so far; like the gateway,
    # the replay counts the staged registrations by their first id and the next.
    ids = {"next": registrations[-1][0] + 1, "first_staged": registrations[0][0]}

    def store() -> None:
        start = ids["next"]
        rows = [(start + i, *row[1:]) for i, row in enumerate(registrations)]
        ids["next"] += len(rows)
        with connection.begin():  # BEGIN IMMEDIATE, as every write of the gateway
            driver.executemany(insert, rows)
            for statement, values in others:
                driver.executemany(statement, values)
            if staging.merge_when_full(connection, ids["next"] - ids["first_staged"]):
                ids["first_staged"] = ids["next"]

    return store, connection


def measure(repeat: int) -> dict[str, float]:
    say(f"ingest floors (SQLite): the gateway, lxml and SQLite alone in turns, {repeat} each ...")
    body = envelope(200)
    ours_place, storage_place = scratch("sqlite"), scratch("sqlite")
    store, connection = sqlite_alone(storage_place, body)
    try:
        medians = median_seconds(
            {
                "ours": wsgi_caller(gateway_app(ours_place.settings, ours_place.engine), body),
                "lxml": lxml_baseline(body),
                "sqlite": store,
            },
            repeat,
        )
    finally:
        connection.close()
        ours_place.cleanup()
        storage_place.cleanup()
    ours, lxml, storage = medians["ours"], medians["lxml"], medians["sqlite"]
    return {
        "ours_ms": ours * 1000,
        "lxml_ms": lxml * 1000,
        "sqlite_alone_ms": storage * 1000,
        "rest_ms": (ours - lxml - storage) * 1000,
        # The ratio the gateway would have if its own Python cost nothing.
        "floor_ratio": (lxml + storage) / lxml,
        "ratio": ours / lxml,
    }
