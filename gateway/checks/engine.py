"""Running every check over one worker's day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from gateway.checks.declaration import check_declaration
from gateway.checks.enterprise import check_employer
from gateway.checks.identity import check_worker
from gateway.checks.sequence import check_day
from gateway.checks.timing import check_lateness
from gateway.domain import remarks
from gateway.domain.reference import ReferenceData
from gateway.domain.registration import StoredRegistration
from gateway.domain.workday import end_of, work_day


def evaluate(
    day: Sequence[StoredRegistration], reference: ReferenceData, now: datetime
) -> dict[int, tuple[str, ...]]:
    """The remark codes of every registration of one worker's day, in catalogue order."""
    if not day:
        return {}
    day_is_over = now >= end_of(work_day(day[0].submitted.registered_at))
    by_day = check_day(day, day_is_over)
    result = {}
    for registration in day:
        submitted = registration.submitted
        codes = set(by_day[registration.id])
        codes.update(check_worker(submitted, reference))
        codes.update(check_employer(submitted, reference))
        codes.update(check_declaration(submitted, reference))
        codes.update(check_lateness(submitted, registration.created_at))
        result[registration.id] = tuple(sorted(codes, key=remarks.ORDER.__getitem__))
    return result


def needs_end_of_day(day: Sequence[StoredRegistration], now: datetime) -> datetime | None:
    """When the day must be looked at again to see a missing check-out, if it must."""
    if not day:
        return None
    end = end_of(work_day(day[0].submitted.registered_at))
    return end if now < end else None
