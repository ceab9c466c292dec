"""Repository functions for registrations: map domain objects to rows and back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select
from sqlalchemy.exc import IntegrityError

from gateway.domain.registration import (
    Address,
    Channel,
    Coordinates,
    RegistrationMeans,
    RegistrationType,
    Remark,
    Sender,
    Status,
    StoredRegistration,
    SubmittedRegistration,
    UserType,
    Validation,
)
from gateway.domain.remarks import BY_CODE
from gateway.domain.workday import work_day, worker_key
from storage.tables import registrations, validations


class ReferenceTaken(Exception):
    """A request running at the same time stored one of these client references first."""


_INSERT = insert(registrations).returning(registrations.c.id, sort_by_parameter_order=True)


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _row_values(
    registration: SubmittedRegistration, sender: Sender, created_at: datetime
) -> dict[str, Any]:
    offset = registration.registered_at.utcoffset() or timedelta(0)
    values: dict[str, Any] = {
        "inss": registration.inss,
        "company_id": registration.company_id,
        "limosa_id": registration.limosa_id,
        "workplace_id": registration.workplace_id,
        "registration_type": registration.registration_type.value,
        "registered_at": _naive_utc(registration.registered_at),
        "utc_offset_minutes": int(offset.total_seconds() // 60),
        "latitude": None,
        "longitude": None,
        "accuracy_meters": None,
        "street": None,
        "house_number": None,
        "postal_code": None,
        "municipality": None,
        "country_code": None,
        "means": registration.means.value,
        "device_id": registration.device_id,
        "emergency_procedure": registration.emergency_procedure,
        "client_reference": registration.client_reference,
        "sender_id": sender.sender_id,
        "sender_company_id": sender.company_id,
        "sender_user_type": sender.user_type.value,
        "channel": Channel.WEBSERVICE.value,
        "created_at": _naive_utc(created_at),
        "status": Status.REGISTERED.value,
        "worker_key": worker_key(registration),
        "work_day": work_day(registration.registered_at),
        "validation_runs": 0,
    }
    location = registration.location
    if isinstance(location, Coordinates):
        values["latitude"] = float(location.latitude)
        values["longitude"] = float(location.longitude)
        if location.accuracy_meters is not None:
            values["accuracy_meters"] = float(location.accuracy_meters)
    elif isinstance(location, Address):
        values["street"] = location.street
        values["house_number"] = location.house_number
        values["postal_code"] = location.postal_code
        values["municipality"] = location.municipality
        values["country_code"] = location.country_code
    return values


def _decimal(value: float) -> Decimal:
    # repr() gives the shortest text that round-trips, i.e. the decimal that was submitted.
    return Decimal(repr(value))


def from_row(row: Row[Any]) -> StoredRegistration:
    m = row._mapping
    location: Coordinates | Address | None = None
    if m["latitude"] is not None:
        accuracy = m["accuracy_meters"]
        location = Coordinates(
            _decimal(m["latitude"]),
            _decimal(m["longitude"]),
            _decimal(accuracy) if accuracy is not None else None,
        )
    elif m["street"] is not None:
        location = Address(
            street=m["street"],
            house_number=m["house_number"],
            postal_code=m["postal_code"],
            municipality=m["municipality"],
            country_code=m["country_code"],
        )
    zone = timezone(timedelta(minutes=m["utc_offset_minutes"]))
    submitted = SubmittedRegistration(
        inss=m["inss"],
        company_id=m["company_id"],
        limosa_id=m["limosa_id"],
        workplace_id=m["workplace_id"],
        registration_type=RegistrationType(m["registration_type"]),
        registered_at=m["registered_at"].replace(tzinfo=UTC).astimezone(zone),
        location=location,
        means=RegistrationMeans(m["means"]),
        device_id=m["device_id"],
        emergency_procedure=m["emergency_procedure"],
        client_reference=m["client_reference"],
    )
    created_at = m["created_at"].replace(tzinfo=UTC)
    return StoredRegistration(
        id=m["id"],
        submitted=submitted,
        created_at=created_at,
        channel=Channel(m["channel"]),
        last_validation=_validation(m["status"], m["validated_at"], m["remark_codes"]),
        sender=Sender(m["sender_id"], m["sender_company_id"], UserType(m["sender_user_type"])),
        history=(Validation(Status.REGISTERED),),
    )


def _validation(status: str, validated_at: datetime | None, codes: str | None) -> Validation:
    return Validation(
        Status(status),
        validated_at.replace(tzinfo=UTC) if validated_at is not None else None,
        remarks_of(codes),
    )


def remarks_of(codes: str | None) -> tuple[Remark, ...]:
    """Stored remark codes (space-separated) as remarks with the catalogue's text."""
    return tuple(Remark(code, BY_CODE[code].text) for code in (codes or "").split())


def add_all(
    connection: Connection,
    submitted: Sequence[SubmittedRegistration],
    sender: Sender,
    created_at: datetime,
) -> list[StoredRegistration]:
    """Insert ``submitted`` in one statement; the stored registrations come back in order."""
    if not submitted:
        return []
    rows = [_row_values(registration, sender, created_at) for registration in submitted]
    try:
        ids = connection.execute(_INSERT, rows).scalars().all()
    except IntegrityError as error:
        if "client_reference" in str(error.orig):
            raise ReferenceTaken() from error
        raise
    validation = Validation(Status.REGISTERED)
    return [
        StoredRegistration(
            id=registration_id,
            submitted=registration,
            created_at=created_at,
            channel=Channel.WEBSERVICE,
            last_validation=validation,
            sender=sender,
            history=(validation,),
        )
        for registration_id, registration in zip(ids, submitted, strict=True)
    ]


def find_by_references(
    connection: Connection, sender_id: str, references: Iterable[str]
) -> dict[str, StoredRegistration]:
    """The registrations ``sender_id`` sent earlier under any of ``references``."""
    wanted = sorted(set(references))
    if not wanted:
        return {}
    rows = connection.execute(
        select(registrations).where(
            registrations.c.sender_id == sender_id,
            registrations.c.client_reference.in_(wanted),
        )
    )
    found = (from_row(row) for row in rows)
    return {r.submitted.client_reference: r for r in found if r.submitted.client_reference}


def get(connection: Connection, registration_id: int) -> StoredRegistration | None:
    """The registration with its whole validation history, oldest first."""
    row = connection.execute(
        select(registrations).where(registrations.c.id == registration_id)
    ).first()
    if row is None:
        return None
    found = from_row(row)
    history = connection.execute(
        select(validations.c.status, validations.c.validated_at, validations.c.remark_codes)
        .where(validations.c.registration_id == registration_id)
        .order_by(validations.c.id)
    )
    later = tuple(_validation(*entry) for entry in history)
    return replace(found, history=found.history + later)


def count(connection: Connection) -> int:
    return connection.execute(select(func.count()).select_from(registrations)).scalar_one()
