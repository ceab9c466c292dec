"""Repository functions for correction requests and the audit trail of corrections."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from gateway.domain.corrections import CorrectionRequest, CorrectionStatus, CorrectionType
from gateway.domain.registration import Correction
from storage.database import naive_utc
from storage.tables import (
    correction_requests,
    declaration_chain,
    registration_corrections,
    registrations,
)


def contractor_above(
    connection: Connection, workplace_id: str, company_id: str | None
) -> str | None:
    if company_id is None:
        return None
    return connection.execute(
        select(declaration_chain.c.parent_company_id).where(
            declaration_chain.c.workplace_id == workplace_id,
            declaration_chain.c.company_id == company_id,
        )
    ).scalar()


def add(connection: Connection, request: CorrectionRequest) -> int:
    return int(
        connection.execute(
            insert(correction_requests)
            .values(
                registration_id=request.registration_id,
                correction_type=request.correction_type.value,
                current_value=request.current_value,
                proposed_value=request.proposed_value,
                motivation=request.motivation,
                requested_by=request.requested_by,
                requester_company_id=request.requester_company,
                requested_at=naive_utc(request.requested_at),
                status=request.status.value,
            )
            .returning(correction_requests.c.id)
        ).scalar_one()
    )


def _request(row: Any) -> CorrectionRequest:
    return CorrectionRequest(
        id=row.id,
        registration_id=row.registration_id,
        correction_type=CorrectionType(row.correction_type),
        current_value=row.current_value,
        proposed_value=row.proposed_value,
        motivation=row.motivation,
        requested_by=row.requested_by,
        requester_company=row.requester_company_id,
        requested_at=row.requested_at.replace(tzinfo=UTC),
        status=CorrectionStatus(row.status),
        note=row.note,
    )


def listing(connection: Connection, status: CorrectionStatus) -> list[CorrectionRequest]:
    rows = connection.execute(
        select(correction_requests)
        .where(correction_requests.c.status == status.value)
        .order_by(correction_requests.c.id)
    )
    return [_request(row) for row in rows]


def get(connection: Connection, request_id: int) -> CorrectionRequest | None:
    row = connection.execute(
        select(correction_requests).where(correction_requests.c.id == request_id).with_for_update()
    ).first()
    return None if row is None else _request(row)


def decide(
    connection: Connection,
    request_id: int,
    status: CorrectionStatus,
    by: str,
    at: datetime,
    note: str | None,
) -> None:
    connection.execute(
        update(correction_requests)
        .where(correction_requests.c.id == request_id)
        .values(status=status.value, decided_by=by, decided_at=naive_utc(at), note=note)
    )


def apply(connection: Connection, request: CorrectionRequest, at: datetime) -> None:
    """Change the registration and keep the old value in its audit trail."""
    field = request.correction_type.field
    connection.execute(
        update(registrations)
        .where(registrations.c.id == request.registration_id)
        .values({field: request.proposed_value})
    )
    connection.execute(
        insert(registration_corrections).values(
            registration_id=request.registration_id,
            correction_request_id=request.id,
            field=field,
            old_value=request.current_value,
            new_value=request.proposed_value,
            corrected_at=naive_utc(at),
        )
    )


def history(connection: Connection, registration_id: int) -> tuple[Correction, ...]:
    rows = connection.execute(
        select(registration_corrections)
        .where(registration_corrections.c.registration_id == registration_id)
        .order_by(registration_corrections.c.id)
    )
    return tuple(
        Correction(
            row.correction_request_id,
            row.field,
            row.old_value,
            row.new_value,
            row.corrected_at.replace(tzinfo=UTC),
        )
        for row in rows
    )
