"""A worker's day: registrations are grouped by worker and by calendar day in Belgium."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from gateway.domain.registration import SubmittedRegistration

BELGIUM = ZoneInfo("Europe/Brussels")


def worker_key(registration: SubmittedRegistration) -> str:
    """``N:<INSS>`` or ``L:<Limosa id>``: one worker across employers and sites."""
    if registration.limosa_id is not None:
        return "L:" + registration.limosa_id
    return "N:" + (registration.inss or "")


def work_day(moment: datetime) -> date:
    return moment.astimezone(BELGIUM).date()


def end_of(day: date) -> datetime:
    """The first moment after ``day`` in Belgium (midnight, summer time included)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=BELGIUM)
