"""The pages' flood counters in the database, on SQLite and PostgreSQL: a window counts every
hit until it ends, then a new one starts and the ended ones are deleted; the ``limits``
library's fixed-window limiter uses them as its storage."""

from __future__ import annotations

from limits import parse
from limits.strategies import FixedWindowRateLimiter

from gateway.pages.flood import DatabaseStorage
from storage import flood
from storage.database import bookkeeping, reading


def test_a_window_counts_its_hits_and_a_new_one_starts_when_it_ends(engine):
    with bookkeeping(engine) as connection:
        assert flood.hit(connection, "address:192.0.2.1", 60, 1, now=1000.0) == 1
        assert flood.hit(connection, "address:192.0.2.1", 60, 2, now=1030.0) == 3
        assert flood.hit(connection, "device:d1", 60, 1, now=1030.0) == 1
    with reading(engine, registrations=False) as connection:
        assert flood.window(connection, "address:192.0.2.1", now=1059.0) == (3, 1060.0)
        assert flood.window(connection, "address:192.0.2.9", now=1059.0) == (0, 1059.0)
    with bookkeeping(engine) as connection:
        assert flood.hit(connection, "address:192.0.2.1", 60, 1, now=1060.0) == 1
        assert flood.count(connection) == 2  # the first window's row gone, d1's still on
        assert flood.hit(connection, "address:192.0.2.2", 60, 1, now=1091.0) == 1
        assert flood.count(connection) == 2  # d1's window ended at 1090


def test_the_limits_library_counts_in_the_database(engine):
    limiter = FixedWindowRateLimiter(DatabaseStorage(engine))
    three = parse("3/minute")
    assert [limiter.hit(three, "login:192.0.2.1") for _ in range(4)] == [True] * 3 + [False]
    assert limiter.hit(three, "login:192.0.2.2")  # another key
    assert limiter.get_window_stats(three, "login:192.0.2.1").remaining == 0
    limiter.clear(three, "login:192.0.2.1")
    assert limiter.hit(three, "login:192.0.2.1")
    storage = DatabaseStorage(engine)
    assert storage.check()
    assert storage.reset() == 2
