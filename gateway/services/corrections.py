"""Requesting corrections (employers) and deciding them (operators). An approved correction
changes the registration, keeps the old value in its audit trail, and checks its day again."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import Connection

from gateway.checks.numbers import valid_enterprise
from gateway.domain.corrections import (
    DECIDED_BEFORE,
    NOT_AN_ENTERPRISE_NUMBER,
    CorrectionRequest,
    CorrectionStatus,
    CorrectionType,
    current_value,
    refusal,
)
from gateway.domain.identity import Account
from gateway.domain.reasons import Reason
from gateway.domain.workday import work_day, worker_key
from gateway.services import units
from gateway.services.errors import CorrectionRefused, CorrectionRequestNotFound
from gateway.services.registrations import get as registration_of
from storage import corrections, queue, registrations


def request(
    connection: Connection,
    account: Account,
    registration_id: int,
    kind: CorrectionType,
    proposed: str,
    motivation: str,
    now: datetime,
) -> CorrectionRequest:
    found = registration_of(connection, account, registration_id)
    if kind is CorrectionType.WRONG_COMPANY_ID and not valid_enterprise(proposed):
        raise CorrectionRefused(Reason(NOT_AN_ENTERPRISE_NUMBER, {"proposed": proposed}))
    above = corrections.contractor_above(
        connection, found.submitted.workplace_id, found.submitted.company_id
    )
    reason = refusal(found, kind, proposed, account.company_id, above, now)
    if reason is not None:
        raise CorrectionRefused(reason)
    pending = CorrectionRequest(
        id=0,
        registration_id=registration_id,
        correction_type=kind,
        current_value=current_value(found, kind) or "",
        proposed_value=proposed,
        motivation=motivation,
        requested_by=account.username,
        requester_company=account.company_id,
        requested_at=now,
        status=CorrectionStatus.PENDING,
    )
    return replace(pending, id=corrections.add(connection, pending))


# ``request`` in a transaction of its own (the management pages).
request_in = units.writing(request)


def listing(connection: Connection, status: CorrectionStatus) -> list[CorrectionRequest]:
    return corrections.listing(connection, status)


def decide(
    connection: Connection,
    operator: Account,
    request_id: int,
    approve: bool,
    note: str | None,
    now: datetime,
) -> CorrectionRequest:
    item = corrections.get(connection, request_id)
    if item is None:
        raise CorrectionRequestNotFound(request_id)
    if item.status is not CorrectionStatus.PENDING:
        raise CorrectionRefused(Reason(DECIDED_BEFORE, {"id": request_id, "status": item.status}))
    status = CorrectionStatus.APPROVED if approve else CorrectionStatus.REJECTED
    corrections.decide(connection, request_id, status, operator.username, now, note)
    if approve:
        corrections.apply(connection, item, now)
        found = registrations.get(connection, item.registration_id)
        assert found is not None
        submitted = found.submitted
        queue.enqueue(
            connection,
            [(worker_key(submitted), work_day(submitted.registered_at))],
            now.astimezone(UTC).replace(tzinfo=None),
        )
    decided = corrections.get(connection, request_id)
    assert decided is not None
    return decided
