"""What makes a schema-valid registration impossible to accept.

Almost nothing does: CIaO accepts first and checks afterwards (DOMAIN.md, Q20). A registration
refused here is answered with a ``PresenceRegistrationError`` and never stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from gateway.domain.registration import RegistrationError, SubmittedRegistration

TIME_IN_FUTURE = "REGISTRATION_TIME_IN_FUTURE"


def refusals(
    batch: Sequence[SubmittedRegistration], now: datetime, future_tolerance: timedelta
) -> dict[int, tuple[RegistrationError, ...]]:
    """The reasons to refuse each registration of ``batch`` that cannot be accepted at
    ``now``, by its position; the others (nearly always all of them) are not in it.

    The only rule, a time more than ``future_tolerance`` ahead, is one comparison per
    registration against a limit worked out once: this runs for every batch."""
    latest = now + future_tolerance
    minutes = int(future_tolerance.total_seconds() // 60)
    return {
        position: (
            RegistrationError(
                TIME_IN_FUTURE,
                f"RegistrationDateTime {registration.registered_at.isoformat()} is more than "
                f"{minutes} minutes in the future; register an event when it happens.",
            ),
        )
        for position, registration in enumerate(batch)
        if registration.registered_at > latest
    }


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
    """
    return refusals([registration], now, future_tolerance).get(0, ())
