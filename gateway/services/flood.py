"""Protection of the pages against flooding (the ``limits`` library, fixed windows).

A phone or browser (its device cookie) may register a few times a minute, an address a few
dozen times, and an address may try to log in ten times a minute. The hits are counted in the
gateway's database (``storage.flood``), so that a limit holds across every gunicorn worker
and every host of one database: counted in each process's memory, N workers let an address
try N times as many passwords. A hit is one small write; SQLite needs no set-up for it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from storage import flood
from storage.database import bookkeeping, reading

REGISTRATIONS_PER_DEVICE = parse("10/minute")
REQUESTS_PER_ADDRESS = parse("60/minute")
LOGINS_PER_ADDRESS = parse("10/minute")


class DatabaseStorage(Storage):
    """A ``limits`` storage in the gateway's database, for the fixed-window strategy."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = engine

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        with bookkeeping(self._engine) as connection:
            return flood.hit(connection, key, expiry, amount, time.time())

    def get(self, key: str) -> int:
        with reading(self._engine, registrations=False) as connection:
            return flood.window(connection, key, time.time())[0]

    def get_expiry(self, key: str) -> float:
        with reading(self._engine, registrations=False) as connection:
            return flood.window(connection, key, time.time())[1]

    def check(self) -> bool:
        """Whether the counters can be read (the database answers)."""
        try:
            with reading(self._engine, registrations=False) as connection:
                flood.count(connection)
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int:
        with bookkeeping(self._engine) as connection:
            return flood.forget(connection)

    def clear(self, key: str) -> None:
        with bookkeeping(self._engine) as connection:
            flood.forget(connection, key)


@dataclass(frozen=True)
class Refusal:
    retry_after_seconds: int


class FloodGuard:
    def __init__(self, engine: Engine) -> None:
        self._limiter = FixedWindowRateLimiter(DatabaseStorage(engine))

    def admit(self, *limits: tuple[RateLimitItem, str]) -> Refusal | None:
        """Count one hit on every (limit, key); None when all of them allow it."""
        for item, key in limits:
            if not self._limiter.hit(item, key):
                stats = self._limiter.get_window_stats(item, key)
                return Refusal(max(int(stats.reset_time - time.time()), 1))
        return None
