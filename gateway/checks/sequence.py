"""The order of one worker's events in one day: duplicates and impossible sequences."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.domain import remarks
from gateway.domain.registration import RegistrationType, StoredRegistration


def _identity(registration: StoredRegistration) -> tuple[object, ...]:
    s = registration.submitted
    return (s.inss, s.limosa_id, s.company_id, s.workplace_id, s.registration_type, s.registered_at)


def check_day(day: Sequence[StoredRegistration], day_is_over: bool) -> dict[int, list[str]]:
    """Remark codes per registration id for one worker's day (cancelled ones excluded)."""
    found: dict[int, list[str]] = {r.id: [] for r in day}
    seen: set[tuple[object, ...]] = set()
    events = []
    for registration in sorted(day, key=lambda r: r.id):
        identity = _identity(registration)
        if identity in seen:
            found[registration.id].append(remarks.DUPLICATE.code)
        else:
            seen.add(identity)
            events.append(registration)
    events.sort(key=lambda r: (r.submitted.registered_at, r.id))

    state = "out"
    last_check_in: StoredRegistration | None = None
    for registration in events:
        kind = registration.submitted.registration_type
        codes = found[registration.id]
        if kind is RegistrationType.CHECK_IN:
            if state != "out":
                codes.append(remarks.OVERLAPPING_PRESENCE.code)
            state, last_check_in = "in", registration
        elif kind is RegistrationType.CHECK_OUT:
            if state == "out":
                codes.append(remarks.CHECK_OUT_WITHOUT_CHECK_IN.code)
            state = "out"
        elif kind is RegistrationType.BREAK_START:
            if state == "out":
                codes.append(remarks.BREAK_OUTSIDE_WORK.code)
            else:
                state = "break"
        elif kind is RegistrationType.BREAK_END:
            if state != "break":
                codes.append(remarks.BREAK_END_WITHOUT_START.code)
            else:
                state = "in"
    if day_is_over and state != "out" and last_check_in is not None:
        found[last_check_in.id].append(remarks.NO_CHECK_OUT.code)
    return found
