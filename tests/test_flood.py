"""The pages' flood counters in the database, on SQLite and PostgreSQL: a window counts every
hit until it ends, then a new one starts and the ended ones are deleted; the ``limits``
library's fixed-window limiter uses them as its storage; behind trusted proxies, a client's
own address is counted."""

from __future__ import annotations

from dataclasses import replace

import pytest
from limits import parse
from limits.strategies import FixedWindowRateLimiter
from werkzeug.test import Client

from gateway.bootstrap import create_app
from gateway.services.flood import DatabaseStorage
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


@pytest.mark.parametrize("trusted_proxies", [0, 1])
def test_behind_a_trusted_proxy_each_client_address_is_counted_apart(
    sqlite_gateway, trusted_proxies
):
    """Behind a reverse proxy every request comes from the proxy's address: one client's
    wrong passwords would lock everyone out. With CIAO_TRUSTED_PROXIES the limit counts the
    address the proxy forwards; without, that header is ignored, so a client cannot dodge
    the limit by sending one of its own."""
    settings = replace(sqlite_gateway.settings, trusted_proxies=trusted_proxies)
    client = Client(create_app(settings, sqlite_gateway.engine))

    def log_in(address: str) -> int:
        return client.post(
            "/manage/login",
            data={"username": "badge-system", "password": "wrong"},
            headers={"X-Forwarded-For": address},
            environ_overrides={"REMOTE_ADDR": "10.0.0.2"},  # the proxy
        ).status_code

    assert [log_in("198.51.100.7") for _ in range(11)] == [401] * 10 + [429]
    assert log_in("203.0.113.9") == (401 if trusted_proxies else 429)
