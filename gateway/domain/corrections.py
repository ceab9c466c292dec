"""Correction requests (Q14-Q18): only the RSZ changes data; an organisation asks, within 30
days after the registration, and only for a wrong enterprise number or a wrong or missing
declaration-of-works number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from gateway.domain.registration import Status, StoredRegistration

WINDOW = timedelta(days=30)


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


@dataclass(frozen=True, slots=True)
class Correction:
    """One value an approved correction changed: the audit trail of a registration."""

    request_id: int
    field: str
    old_value: str
    new_value: str
    corrected_at: datetime


def current_value(registration: StoredRegistration, kind: CorrectionType) -> str | None:
    submitted = registration.submitted
    return (
        submitted.company_id
        if kind is CorrectionType.WRONG_COMPANY_ID
        else (submitted.workplace_id)
    )


def correctable(registration: StoredRegistration, now: datetime) -> bool:
    """Whether a correction of ``registration`` may still be requested at ``now``: not
    cancelled, within the 30 days, and made with an enterprise number."""
    return (
        registration.last_validation.status is not Status.CANCELLED
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
) -> str | None:
    """Why the request cannot be made, or None. ``contractor_above`` is the contractor of the
    registration's enterprise in the chain of its declaration (the other party of the link)."""
    if registration.last_validation.status is Status.CANCELLED:
        return "The registration is cancelled."
    if now - registration.submitted.registered_at > WINDOW:
        return (
            f"Corrections are requested within {WINDOW.days} days after the registration; "
            f"this one is of {registration.submitted.registered_at.date().isoformat()}."
        )
    company = registration.submitted.company_id
    if requester_company not in (company, contractor_above):
        return (
            "Only the enterprise the registration was made for, or its contractor in the "
            "declaration of works, may request its correction."
        )
    current = current_value(registration, kind)
    if current is None:
        return "The registration has no enterprise number to correct (a Limosa registration)."
    if current == proposed:
        return f"The proposed value {proposed} is the current one."
    return None
