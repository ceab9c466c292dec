"""Checkin@Work presences (PresenceRegistration v1.11): registered, read, searched and
cancelled as the v1 contract says, through the same registrations, checks and visibility as
CIaO's. An employer sees its own workers, what it sent, and the companies below it in the
chain of a declaration of works; an operator sees everything."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection

from gateway.domain import presence
from gateway.domain.consultation import Cancellation, SearchCriteria
from gateway.domain.identity import Account
from gateway.domain.registration import (
    Acknowledgement,
    Contract,
    RegistrationError,
    StoredRegistration,
    SubmittedRegistration,
)
from gateway.domain.workday import work_day
from gateway.services import consultation, registrations
from gateway.services.errors import RegistrationNotFound
from storage import reference
from storage import registrations as stored

CHECKIN_AT_WORK = Contract.CHECKIN_AT_WORK


def register(
    connection: Connection,
    account: Account,
    batch: Sequence[SubmittedRegistration],
    now: datetime,
) -> list[Acknowledgement]:
    """Store each presence of ``batch`` the v1 contract accepts; answer the others with its
    business errors. A presence sent again under its client reference is answered with the
    original. Each is recorded under the sector its declaration of works names, if any."""
    named = reference.sectors(connection, (p.workplace_id for p in batch))
    placed = [
        p._replace(sector=named[p.workplace_id]) if p.workplace_id in named else p for p in batch
    ]
    return registrations.register_from(
        connection,
        registrations.sender_of(account),
        placed,
        now,
        timedelta(0),
        refuse=presence.refusals,
    )


def get(
    connection: Connection, account: Account, registration_id: int
) -> StoredRegistration | None:
    """The presence with its history, if ``account`` may see it; None otherwise (the v1
    contract answers an empty ``GetPresenceRegistrationType``)."""
    try:
        return registrations.get(connection, account, registration_id, CHECKIN_AT_WORK)
    except RegistrationNotFound:
        return None


def search(
    connection: Connection, account: Account, criteria: SearchCriteria
) -> tuple[int, list[StoredRegistration]]:
    return consultation.search(
        connection, account, dataclasses.replace(criteria, contract=CHECKIN_AT_WORK)
    )


CancelAnswer = StoredRegistration | tuple[Cancellation, RegistrationError]


def cancel(
    connection: Connection, account: Account, requests: Sequence[Cancellation], now: datetime
) -> list[CancelAnswer]:
    """Cancel each presence the caller may see, until the end of its day; the others are
    answered with the v1 contract's business error."""
    today = work_day(now)
    answers: list[CancelAnswer] = []
    for request in requests:
        found = stored.get(connection, request.registration_id)
        error: RegistrationError | None
        if found is None:
            error = presence.UNKNOWN_ID
        elif found.submitted.contract is not CHECKIN_AT_WORK:
            error = presence.NOT_A_PRESENCE
        elif not consultation.visible(connection, account, found.id):
            error = presence.NOT_AUTHORISED
        else:
            error = presence.cancellation_refusal(
                work_day(found.submitted.registered_at),
                found.last_validation.status,
                request.reason,
                today,
            )
        if error is not None or found is None:
            answers.append((request, error or presence.UNKNOWN_ID))
        else:
            answers.append(consultation.withdraw(connection, found, request.reason, now))
    return answers
