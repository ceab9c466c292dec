"""Consulting and cancelling registrations, within what the caller may see: an operator sees
everything; an employer its own workers, what it sent, and its subcontracting chain (Q14)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection

from gateway.domain.consultation import (
    ALREADY_CANCELLED,
    NOT_FOUND,
    Cancellation,
    SearchCriteria,
)
from gateway.domain.identity import Account, Role
from gateway.domain.registration import Contract, RegistrationError, Status, StoredRegistration
from gateway.domain.workday import work_day, worker_key
from gateway.services import units
from gateway.services.errors import SearchRefused
from storage import consultation, queue, registrations


def viewer(account: Account) -> str | None:
    """The enterprise whose view applies, or None for an operator (who sees everything)."""
    return None if account.role is Role.OPERATOR else account.company_id


def search(
    connection: Connection, account: Account, criteria: SearchCriteria
) -> tuple[int, list[StoredRegistration]]:
    refusal = criteria.refusal()
    if refusal is not None:
        raise SearchRefused(refusal)
    return consultation.search(connection, criteria, viewer(account))


# ``search`` in a reading transaction of its own (the management pages).
search_in = units.read_only(search)


def visible(connection: Connection, account: Account, registration_id: int) -> bool:
    return consultation.is_visible(connection, registration_id, viewer(account))


CancelAnswer = StoredRegistration | tuple[Cancellation, RegistrationError]


def cancel(
    connection: Connection, account: Account, requests: Sequence[Cancellation], now: datetime
) -> list[CancelAnswer]:
    """Cancel each registration the caller may see; the others are answered with an error.
    The day of a cancelled registration is checked again without it."""
    answers: list[CancelAnswer] = []
    for request in requests:
        found = registrations.get(connection, request.registration_id)
        if (
            found is None
            or found.submitted.contract is not Contract.CIAO
            or not visible(connection, account, request.registration_id)
        ):
            answers.append(
                (
                    request,
                    RegistrationError(
                        NOT_FOUND,
                        f"PresenceRegistrationId {request.registration_id} does not exist or "
                        "is not visible to your enterprise.",
                    ),
                )
            )
            continue
        if found.last_validation.status is Status.CANCELLED:
            answers.append(
                (
                    request,
                    RegistrationError(
                        ALREADY_CANCELLED,
                        f"PresenceRegistrationId {request.registration_id} was cancelled before.",
                    ),
                )
            )
            continue
        answers.append(withdraw(connection, found, request.reason, now))
    return answers


def withdraw(
    connection: Connection, registration: StoredRegistration, reason: str, now: datetime
) -> StoredRegistration:
    """Cancel ``registration``, which the caller may cancel, and queue its day to be checked
    again without it; the registration as it is now."""
    consultation.cancel(connection, [registration.id], reason, now)
    submitted = registration.submitted
    queue.enqueue(
        connection,
        [(worker_key(submitted), work_day(submitted.registered_at))],
        now.astimezone(UTC).replace(tzinfo=None),
    )
    cancelled = registrations.get(connection, registration.id)
    assert cancelled is not None
    return cancelled
