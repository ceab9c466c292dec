"""How fast this machine runs pure Python at the moment of a run: building one domain
registration (a frozen dataclass of 11 fields). Printed and kept with the figures, it tells a
run in a slow spell of the machine from a slower gateway (docs/performance.md)."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

from gateway.domain.registration import RegistrationMeans, RegistrationType, SubmittedRegistration

_ROUNDS, _PER_ROUND = 50, 2_000


def registration_build_us() -> float:
    """The median time, in microseconds, to build one ``SubmittedRegistration``."""
    at = datetime(2026, 11, 27, 7, 30, tzinfo=UTC)
    args = ("DW2026000001", RegistrationType.CHECK_IN, at, RegistrationMeans.BADGE, "85073003328")
    rounds = []
    for _ in range(_ROUNDS):
        start = time.perf_counter()
        for _ in range(_PER_ROUND):
            SubmittedRegistration(*args, "0403170701", None, None, None, False, None)
        rounds.append((time.perf_counter() - start) / _PER_ROUND)
    return statistics.median(rounds) * 1e6
