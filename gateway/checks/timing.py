"""When it was sent: a registration is made at the moment of the activity (Q3)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from gateway.domain import remarks
from gateway.domain.registration import RegistrationType, SubmittedRegistration

LATE_AFTER = timedelta(hours=1)
PRESENCE = RegistrationType.PRESENCE


def check_lateness(registration: SubmittedRegistration, created_at: datetime) -> Iterator[str]:
    """REGISTERED_LATE when stored more than an hour after the event, unless it was captured
    under the emergency procedure (an outage) and sent later. A Checkin@Work presence is of
    a whole day, registered that day or the day before: never late."""
    if registration.emergency_procedure or registration.registration_type is PRESENCE:
        return
    if created_at - registration.registered_at > LATE_AFTER:
        yield remarks.REGISTERED_LATE.code
