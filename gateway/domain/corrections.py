"""Correction requests (Q14-Q18): only the RSZ changes data; an organisation asks, within 30
days after the registration, and only for a wrong enterprise number or a wrong or missing
declaration-of-works number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from gateway.domain.reasons import Reason
from gateway.domain.registration import Contract, Status, StoredRegistration

WINDOW = timedelta(days=30)

# Why a correction cannot be requested or decided (``Reason`` messages).
NOT_AN_ENTERPRISE_NUMBER = "%(proposed)s is not a valid enterprise number."
CANCELLED = "The registration is cancelled."
TOO_LATE = (
    "Corrections are requested within %(days)s days after the registration; this one is of "
    "%(date)s."
)
NOT_ITS_ENTERPRISE = (
    "Only the enterprise the registration was made for, or its contractor in the declaration "
    "of works, may request its correction."
)
NO_ENTERPRISE_NUMBER = (
    "The registration has no enterprise number to correct (a Limosa registration)."
)
ALREADY_CURRENT = "The proposed value %(proposed)s is the current one."
NO_PROPOSED_VALUE = "The proposed value is empty: give the right value."
DECIDED_BEFORE = "Correction request %(id)s was %(status)s before."
REASONS = (
    NOT_AN_ENTERPRISE_NUMBER,
    CANCELLED,
    TOO_LATE,
    NOT_ITS_ENTERPRISE,
    NO_ENTERPRISE_NUMBER,
    ALREADY_CURRENT,
    NO_PROPOSED_VALUE,
    DECIDED_BEFORE,
)


class CorrectionType(StrEnum):
    WRONG_COMPANY_ID = "WRONG_COMPANY_ID"
    WRONG_WORKPLACE_ID = "WRONG_WORKPLACE_ID"
    MISSING_WORKPLACE_ID = "MISSING_WORKPLACE_ID"

    @property
    def field(self) -> str:
        return "company_id" if self is CorrectionType.WRONG_COMPANY_ID else "workplace_id"


class CorrectionStatus(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


@dataclass(frozen=True, slots=True)
class CorrectionRequest:
    id: int
    registration_id: int
    correction_type: CorrectionType
    current_value: str
    proposed_value: str
    motivation: str
    requested_by: str
    requester_company: str
    requested_at: datetime
    status: CorrectionStatus
    note: str | None = None


def current_value(registration: StoredRegistration, kind: CorrectionType) -> str | None:
    submitted = registration.submitted
    return (
        submitted.company_id
        if kind is CorrectionType.WRONG_COMPANY_ID
        else (submitted.workplace_id)
    )


def correctable(registration: StoredRegistration, now: datetime) -> bool:
    """Whether a correction of ``registration`` may still be requested at ``now``: a CIaO
    registration (Checkin@Work's v1 contract has no corrections), not cancelled, within the
    30 days, and made with an enterprise number."""
    return (
        registration.submitted.contract is Contract.CIAO
        and registration.last_validation.status is not Status.CANCELLED
        and now - registration.submitted.registered_at <= WINDOW
        and registration.submitted.company_id is not None
    )


def refusal(
    registration: StoredRegistration,
    kind: CorrectionType,
    proposed: str,
    requester_company: str,
    contractor_above: str | None,
    now: datetime,
) -> Reason | None:
    """Why the request cannot be made, or None. ``contractor_above`` is the contractor of the
    registration's enterprise in the chain of its declaration (the other party of the link)."""
    if registration.last_validation.status is Status.CANCELLED:
        return Reason(CANCELLED)
    if now - registration.submitted.registered_at > WINDOW:
        day = registration.submitted.registered_at.date().isoformat()
        return Reason(TOO_LATE, {"days": WINDOW.days, "date": day})
    company = registration.submitted.company_id
    if requester_company not in (company, contractor_above):
        return Reason(NOT_ITS_ENTERPRISE)
    current = current_value(registration, kind)
    if current is None:
        return Reason(NO_ENTERPRISE_NUMBER)
    if not proposed.strip():
        return Reason(NO_PROPOSED_VALUE)
    if current == proposed:
        return Reason(ALREADY_CURRENT, {"proposed": proposed})
    return None
