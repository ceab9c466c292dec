"""How fast this machine runs pure Python at the moment of a run: building one domain
registration the way it was built until 2026-12-03 (a frozen dataclass of 11 fields, kept here
so that the figure compares across versions). Printed and kept with the figures, it tells a
run in a slow spell of the machine from a slower gateway (docs/performance.md)."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from gateway.domain.registration import RegistrationMeans, RegistrationType

_ROUNDS, _PER_ROUND = 50, 2_000


@dataclass(frozen=True, slots=True)
class _Registration:
    workplace_id: str
    registration_type: RegistrationType
    registered_at: datetime
    means: RegistrationMeans
    inss: str | None
    company_id: str | None
    limosa_id: str | None
    location: object
    device_id: str | None
    emergency_procedure: bool
    client_reference: str | None


def registration_build_us() -> float:
    """The median time, in microseconds, to build one registration of 11 fields."""
    at = datetime(2026, 11, 27, 7, 30, tzinfo=UTC)
    args = ("DW2026000001", RegistrationType.CHECK_IN, at, RegistrationMeans.BADGE, "85073003328")
    rounds = []
    for _ in range(_ROUNDS):
        start = time.perf_counter()
        for _ in range(_PER_ROUND):
            _Registration(*args, "0403170701", None, None, None, False, None)
        rounds.append((time.perf_counter() - start) / _PER_ROUND)
    return statistics.median(rounds) * 1e6
