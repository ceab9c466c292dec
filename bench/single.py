"""What one single registration costs the gateway's process: CPU time (``time.process_time``)
per request of the WSGI app handling ``registerPresences`` of one registration on SQLite, with
a client reference unique to each request (as the side-by-side run's load sends) and without
one, in turns. CPU time rather than the clock: on a shared machine the clock also counts the
time other processes took the cores. Leaves out what a server adds (gunicorn's HTTP parsing,
a connection per request) and the access log's line.

    python -m bench.single
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

from bench.common import DAY, envelope, gateway_app, say, scratch, wsgi_caller

ROUNDS = 5
WORK_DAYS = 300  # requests spread over as many days, as senders' are


def _requests(app: object, count: int, referenced: bool) -> Iterator[Callable[[], bytes]]:
    """``count`` callers of distinct requests, made beforehand so that only the gateway's
    side is timed; a client reference is accepted once, so none is sent twice."""
    bodies = [
        envelope(1, unique=referenced, day=DAY - timedelta(days=k % WORK_DAYS))
        for k in range(count)
    ]
    return iter([wsgi_caller(app, body) for body in bodies])


def measure(requests: int) -> dict[str, float]:
    say(f"single registrations: {ROUNDS} rounds of {requests} requests each way, in turns ...")
    place = scratch("sqlite")
    try:
        app = gateway_app(place.settings, place.engine)
        callers = {
            kind: _requests(app, (ROUNDS + 1) * requests, kind == "referenced")
            for kind in ("referenced", "unreferenced")
        }
        spent: dict[str, list[float]] = {kind: [] for kind in callers}
        for calls in callers.values():  # warm caches (schemas, token, statements)
            for _ in range(requests):
                next(calls)()
        for _ in range(ROUNDS):
            for kind, calls in callers.items():
                start = time.process_time()
                for _ in range(requests):
                    next(calls)()
                spent[kind].append((time.process_time() - start) / requests * 1000)
    finally:
        place.cleanup()
    return {f"{kind}_cpu_ms": statistics.median(times) for kind, times in spent.items()}


if __name__ == "__main__":
    found = measure(1000)
    print(
        f"{found['referenced_cpu_ms']:.3f} ms of CPU with a client reference, "
        f"{found['unreferenced_cpu_ms']:.3f} ms without",
        flush=True,
    )
