"""What makes a schema-valid registration impossible to accept.

Almost nothing does: CIaO accepts first and checks afterwards (DOMAIN.md, Q20). A registration
refused here is answered with a ``PresenceRegistrationError`` and never stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from gateway.domain.registration import RegistrationError, SubmittedRegistration
from gateway.domain.workday import BELGIUM

TIME_IN_FUTURE = "REGISTRATION_TIME_IN_FUTURE"
TIME_BEFORE_START = "REGISTRATION_TIME_BEFORE_START"

# The registration of presences began on 1 September 2024 (DOMAIN.md). An earlier time is a
# device clock that was never set (.NET's 0001-01-01, Unix's 1970-01-01), not an event; near
# 0001-01-01 it is not even a day in Belgium.
START = datetime(2024, 9, 1, tzinfo=BELGIUM)
_START_SECONDS = START.timestamp()


def refusals(
    batch: Sequence[SubmittedRegistration], now: datetime, future_tolerance: timedelta
) -> dict[int, tuple[RegistrationError, ...]]:
    """The reasons to refuse each registration of ``batch`` that cannot be accepted at
    ``now``, by its position; the others (nearly always all of them) are not in it.

    The rule, a time from ``START`` to ``future_tolerance`` ahead, runs for every batch: as
    POSIX seconds, one registration's bounds are one chained comparison of numbers, where
    comparing its time with a time of another zone costs as much as that for each bound."""
    latest = (now + future_tolerance).timestamp()
    return {
        position: (_refusal(registration.registered_at, latest, future_tolerance),)
        for position, registration in enumerate(batch)
        if not _START_SECONDS <= registration.registered_at.timestamp() <= latest
    }


def _refusal(at: datetime, latest: float, future_tolerance: timedelta) -> RegistrationError:
    if at.timestamp() > latest:
        minutes = int(future_tolerance.total_seconds() // 60)
        return RegistrationError(
            TIME_IN_FUTURE,
            f"RegistrationDateTime {at.isoformat()} is more than {minutes} minutes in the "
            "future; register an event when it happens.",
        )
    return RegistrationError(
        TIME_BEFORE_START,
        f"RegistrationDateTime {at.isoformat()} is before 1 September 2024, when the "
        "registration of presences began; check the device's clock.",
    )


def refusal_reasons(
    registration: SubmittedRegistration, now: datetime, future_tolerance: timedelta
) -> tuple[RegistrationError, ...]:
    """The reasons to refuse ``registration`` at ``now``; empty when it is accepted.

    >>> from datetime import timezone
    >>> from gateway.domain.registration import RegistrationType, RegistrationMeans
    >>> now = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
    >>> late = SubmittedRegistration("W1", RegistrationType.CHECK_IN, now + timedelta(minutes=6),
    ...                              RegistrationMeans.BADGE, inss="85073003328",
    ...                              company_id="0403170701")
    >>> [e.code for e in refusal_reasons(late, now, timedelta(minutes=5))]
    ['REGISTRATION_TIME_IN_FUTURE']
    >>> unset = late._replace(registered_at=datetime(1, 1, 1, tzinfo=timezone.utc))
    >>> [e.code for e in refusal_reasons(unset, now, timedelta(minutes=5))]
    ['REGISTRATION_TIME_BEFORE_START']
    """
    return refusals([registration], now, future_tolerance).get(0, ())
