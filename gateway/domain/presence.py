"""A Checkin@Work presence (PresenceRegistration v1.11): one worker on one site for one day.

A presence is stored as a day-level registration (``RegistrationType.PRESENCE``) of the same
registrations, checked by the same checks. What differs is what the v1 contract refuses
outright, with its own numbered business error codes, where CIaO accepts and remarks: an
enterprise number or INSS that is not one, a WorkPlaceId that cannot be a declaration's, a day
other than today or tomorrow; and how a presence is cancelled.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from stdnum.be import bis, nn, vat

from gateway.domain.registration import (
    RegistrationError,
    RegistrationMeans,
    RegistrationType,
    Sector,
    Status,
    SubmittedRegistration,
)
from gateway.domain.workday import BELGIUM, work_day

# The business error codes of registerPresences (specification 5.1.3).
COMPANY_NOT_AN_ENTERPRISE = RegistrationError(
    "2", "Invalid companyId node content. Invalid KBO/BCE number"
)
COMPANY_CHECKSUM = RegistrationError("3", "Invalid companyId node content. Invalid KBO/BCE number")
WORKPLACE_INVALID = RegistrationError(
    "4",
    "Invalid WorkPlaceId node content. Invalid Déclaration de Travaux/Aangifte van Werken number",
)
INSS_INVALID = RegistrationError("5", "Invalid INSS node content. Invalid INSZ/INSS number")
DATE_NOT_TODAY_OR_TOMORROW = RegistrationError(
    "6", "Invalid registration date (only today or tomorrow are allowed)"
)
# The business error codes of cancelPresences (specification 5.2.3).
NOT_AUTHORISED = RegistrationError(
    "1", "The user has no authorization to cancel this Presence Registration"
)
UNKNOWN_ID = RegistrationError("7", "Unknown RegistrationId")
ALREADY_CANCELLED = RegistrationError("8", "Presence registration already cancelled")
TOO_LATE = RegistrationError("9", "Too late to cancel this presence registration")
NOT_A_PRESENCE = RegistrationError("10", "Presence registration not found")
INVALID_REASON = RegistrationError("11", "Invalid cancel reason")

BUSINESS_ERRORS = (
    COMPANY_NOT_AN_ENTERPRISE,
    COMPANY_CHECKSUM,
    WORKPLACE_INVALID,
    INSS_INVALID,
    DATE_NOT_TODAY_OR_TOMORROW,
    NOT_AUTHORISED,
    UNKNOWN_ID,
    ALREADY_CANCELLED,
    TOO_LATE,
    NOT_A_PRESENCE,
    INVALID_REASON,
)
CANCELLATION_REASONS = ("HOLIDAY", "DISEASE", "PLANNING", "C32A")

# A declaration of works number: letters and digits (the RSZ's 1Y1000NF9KCQZ, the gateway's
# DW2026000001).
_WORKPLACE = re.compile(r"[0-9A-Z]{1,13}")
# The sector a presence is recorded under when its declaration of works names none: a
# WorkPlaceId is a declaration of works, which is what construction sites file.
DEFAULT_SECTOR = Sector.CONSTRUCTION


def presence(
    day: date,
    workplace_id: str,
    *,
    inss: str | None = None,
    company_id: str | None = None,
    limosa_id: str | None = None,
    client_reference: str | None = None,
    sector: Sector = DEFAULT_SECTOR,
) -> SubmittedRegistration:
    """A presence on ``day``, as a registration at the start of that day in Belgium.

    >>> p = presence(date(2026, 12, 4), "DW2026000001", inss="85073003328",
    ...              company_id="0403170701")
    >>> p.registered_at.isoformat(), work_day(p.registered_at), p.contract.value
    ('2026-12-04T00:00:00+01:00', datetime.date(2026, 12, 4), 'CHECKINATWORK')
    """
    return SubmittedRegistration(
        workplace_id=workplace_id,
        registration_type=RegistrationType.PRESENCE,
        registered_at=datetime.combine(day, time(0), tzinfo=BELGIUM),
        means=RegistrationMeans.OTHER,
        inss=inss,
        company_id=company_id,
        limosa_id=limosa_id,
        client_reference=client_reference,
        sector=sector,
    )


def company_id_of(number: int) -> str:
    """The enterprise number of a v1 ``CompanyID`` (an ``xs:long``: 403170701 for
    0403170701), as ten digits.

    >>> company_id_of(403170701)
    '0403170701'
    """
    return f"{number:010d}"


def refusals(
    batch: Sequence[SubmittedRegistration], now: datetime, _tolerance: timedelta
) -> dict[int, tuple[RegistrationError, ...]]:
    """The business errors of each presence of ``batch`` that cannot be registered at
    ``now``, by position; the others are not in it (``registrations.register_from``)."""
    today = work_day(now)
    found = {}
    for position, registration in enumerate(batch):
        errors = refusal_reasons(registration, today)
        if errors:
            found[position] = errors
    return found


def refusal_reasons(
    registration: SubmittedRegistration, today: date
) -> tuple[RegistrationError, ...]:
    """
    >>> ok = presence(date(2026, 12, 4), "1Y1000NF9KCQZ", inss="85073003328",
    ...               company_id="0403170701")
    >>> refusal_reasons(ok, date(2026, 12, 4)), refusal_reasons(ok, date(2026, 12, 3))
    ((), ())
    >>> bad = ok._replace(inss="85073003329", company_id="0403170702")
    >>> [e.code for e in refusal_reasons(bad, date(2026, 12, 5))]
    ['3', '5', '6']
    """
    errors: list[RegistrationError] = []
    company = registration.company_id
    if company is not None:
        if company[0] not in "01":
            errors.append(COMPANY_NOT_AN_ENTERPRISE)
        elif not vat.is_valid(company):
            errors.append(COMPANY_CHECKSUM)
    if not _WORKPLACE.fullmatch(registration.workplace_id):
        errors.append(WORKPLACE_INVALID)
    if registration.inss is not None and not (
        nn.is_valid(registration.inss) or bis.is_valid(registration.inss)
    ):
        errors.append(INSS_INVALID)
    if work_day(registration.registered_at) not in (today, today + timedelta(days=1)):
        errors.append(DATE_NOT_TODAY_OR_TOMORROW)
    return tuple(errors)


def cancellation_refusal(
    registration_day: date, status: Status, reason: str, today: date
) -> RegistrationError | None:
    """Why a visible presence cannot be cancelled, or None: a reason the contract does not
    know, a presence cancelled before, or one whose day is over.

    >>> day = date(2026, 12, 4)
    >>> cancellation_refusal(day, Status.REGISTERED, "HOLIDAY", day) is None
    True
    >>> [cancellation_refusal(day, Status.CANCELLED, "HOLIDAY", day).code,
    ...  cancellation_refusal(day, Status.FAILED, "HOLIDAY", date(2026, 12, 5)).code,
    ...  cancellation_refusal(day, Status.FAILED, "BORED", day).code]
    ['8', '9', '11']
    """
    if reason not in CANCELLATION_REASONS:
        return INVALID_REASON
    if status is Status.CANCELLED:
        return ALREADY_CANCELLED
    if registration_day < today:
        return TOO_LATE
    return None
