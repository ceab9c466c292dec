"""The floors benchmark replays, at the driver, exactly what the gateway stores for a batch:
if the statements it catches stopped being the whole batch, its figure would mean nothing."""

from __future__ import annotations

import sqlite3

from sqlalchemy.engine import make_url

from bench.common import envelope, scratch
from bench.floors import sqlite_alone


def test_sqlite_alone_stores_the_batch_the_gateway_stored():
    place = scratch("sqlite")
    store, connection = sqlite_alone(place, envelope(200))
    try:
        store()
        store()
    finally:
        connection.close()
    database = sqlite3.connect(make_url(place.settings.database_url).database)
    try:
        count, first, last = database.execute(
            "SELECT count(*), min(id), max(id) FROM registrations"
        ).fetchone()
        workers = database.execute(
            "SELECT count(DISTINCT worker_key) FROM registrations WHERE id > 400"
        ).fetchone()
        queued = database.execute("SELECT count(*), max(version) FROM check_queue").fetchone()
    finally:
        database.close()
        place.cleanup()
    # The gateway's own request, then two replays of it under new ids.
    assert (count, first, last) == (600, 1, 600)
    assert workers == (50,)
    assert queued == (50, 3)  # each replay queued the batch's 50 worker days again
