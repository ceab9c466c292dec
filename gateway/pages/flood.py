"""Protection of the pages against flooding (the ``limits`` library, moving windows).

A phone or browser (its device cookie) may register a few times a minute, an address a few
dozen times, and an address may try to log in ten times a minute. The counts are kept in the
memory of each gateway process: with N gunicorn workers an address gets at most N times the
limit, still far below what would hurt, and nothing is written per request.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

REGISTRATIONS_PER_DEVICE = parse("10/minute")
REQUESTS_PER_ADDRESS = parse("60/minute")
LOGINS_PER_ADDRESS = parse("10/minute")


@dataclass(frozen=True)
class Refusal:
    retry_after_seconds: int


class FloodGuard:
    def __init__(self) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def admit(self, *limits: tuple[RateLimitItem, str]) -> Refusal | None:
        """Count one hit on every (limit, key); None when all of them allow it."""
        for item, key in limits:
            if not self._limiter.hit(item, key):
                stats = self._limiter.get_window_stats(item, key)
                return Refusal(max(int(stats.reset_time - time.time()), 1))
        return None
