"""The floors benchmark replays, at the driver, exactly what the gateway stores for a batch:
if the statements it catches stopped being the whole batch, its figure would mean nothing."""

from __future__ import annotations

from sqlalchemy import text

from bench.common import envelope, scratch
from bench.floors import sqlite_alone
from storage.database import reading


def test_sqlite_alone_stores_the_batch_the_gateway_stored():
    place = scratch("sqlite")
    store, connection = sqlite_alone(place, envelope(200))
    try:
        store()
        store()
    finally:
        connection.close()
    try:
        with reading(place.engine) as connection:  # staged ones merged, as the gateway reads
            count, first, last = connection.execute(
                text("SELECT count(*), min(id), max(id) FROM registrations")
            ).one()
            workers = connection.execute(
                text("SELECT count(DISTINCT worker_key) FROM registrations WHERE id > 400")
            ).one()
            queued = connection.execute(
                text("SELECT count(*), max(version) FROM check_queue")
            ).one()
    finally:
        place.cleanup()
    # The gateway's own request, then two replays of it under new ids.
    assert (count, first, last) == (600, 1, 600)
    assert workers == (50,)
    assert queued == (50, 3)  # each replay queued the batch's 50 worker days again
