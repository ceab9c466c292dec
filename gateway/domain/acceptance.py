"""What makes a schema-valid registration impossible to accept.

Almost nothing does: CIaO accepts first and checks afterwards (DOMAIN.md, Q20). A registration
refused here is answered with a ``PresenceRegistrationError`` and never stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from gateway.domain.registration import RegistrationError, SubmittedRegistration

TIME_IN_FUTURE = "REGISTRATION_TIME_IN_FUTURE"


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
    if registration.registered_at > now + future_tolerance:
        minutes = int(future_tolerance.total_seconds() // 60)
        return (
            RegistrationError(
                TIME_IN_FUTURE,
                f"RegistrationDateTime {registration.registered_at.isoformat()} is more than "
                f"{minutes} minutes in the future; register an event when it happens.",
            ),
        )
    return ()
