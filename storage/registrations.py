"""Repository functions for registrations: map domain objects to rows and back."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import BindParameter, Connection, Row, bindparam, null, select, text, union_all
from sqlalchemy.exc import IntegrityError

from gateway.domain.registration import (
    Address,
    Channel,
    Coordinates,
    RegistrationMeans,
    RegistrationType,
    Remark,
    Sector,
    Sender,
    Status,
    StoredRegistration,
    SubmittedRegistration,
    UserType,
    Validation,
)
from gateway.domain.remarks import BY_CODE
from storage import corrections, staging
from storage.database import at_driver, insert_rows, moment_values, temporal_values
from storage.tables import (
    NEW_REGISTRATION_COLUMNS,
    registrations,
    staged_registrations,
    validations,
)


class ReferenceTaken(Exception):
    """A request running at the same time stored one of these client references first."""


_NEXT_IDS = text(
    "SELECT array_agg(nextval('registrations_id_seq'::regclass)) FROM generate_series(1, :count)"
)
# The newest id, merged or staged, and the oldest staged one (each its own look-up: SQLite
# answers min() and max() from the index only when a query asks for one of them).
_LAST_IDS = (
    "SELECT max(coalesce((SELECT max(id) FROM registrations), 0), "
    "coalesce((SELECT max(id) FROM staged_registrations), 0)), "
    "(SELECT min(id) FROM staged_registrations)"
)


def concurrent_writers(connection: Connection) -> bool:
    """Whether another transaction can store registrations between this one's look-up of
    references and its insert. Not on SQLite: every write transaction holds the database's
    write lock from its start (BEGIN IMMEDIATE)."""
    return connection.dialect.name != "sqlite"


def _allocate_ids(connection: Connection, count: int) -> tuple[list[int], int]:
    """Ids for ``count`` new registrations, taken before the insert so that it needs no
    RETURNING (several times faster for a batch), and how many registrations are staged
    before them. On SQLite no other writer can come between (``concurrent_writers``), so
    max(id) + 1 ... is ours; staged ids follow each other, so the staged are counted by
    their first and last id."""
    if concurrent_writers(connection):
        return list(connection.execute(_NEXT_IDS, {"count": count}).scalar_one()), 0
    [(last, first_staged)] = at_driver(connection, _LAST_IDS)
    start = int(last) + 1
    staged = 0 if first_staged is None else start - int(first_staged)
    return list(range(start, start + count)), staged


_NO_LOCATION = (None,) * 8
_REGISTERED = Status.REGISTERED.value


def _location_values(location: Coordinates | Address | None) -> tuple[object, ...]:
    if location is None:
        return _NO_LOCATION
    if isinstance(location, Coordinates):
        accuracy = location.accuracy_meters
        return (
            float(location.latitude),
            float(location.longitude),
            None if accuracy is None else float(accuracy),
            None,
            None,
            None,
            None,
            None,
        )
    return (
        None,
        None,
        None,
        location.street,
        location.house_number,
        location.postal_code,
        location.municipality,
        location.country_code,
    )


def _row(
    registration_id: int,
    r: SubmittedRegistration,
    worker_day: tuple[str, date],
    shared: tuple[object, ...],
    stamp: Callable[[date], object],
    moment: Callable[[datetime], object],
) -> tuple[object, ...]:
    """The values of a new registration in the order of ``NEW_REGISTRATION_COLUMNS``, its
    time as ``moment`` and its day as ``stamp`` give them to the driver; ``shared``, those
    of the whole batch (sender id, company and user type, channel, creation time, status)."""
    workplace, kind, at, means, inss, company, limosa, location, device, emergency, ref, sector = r
    offset = at.utcoffset() or timedelta(0)
    return (
        registration_id,
        inss,
        company,
        limosa,
        workplace,
        str(kind),  # a StrEnum's value, at a fraction of .value's cost
        moment(at),
        int(offset.total_seconds()) // 60,
        *_location_values(location),
        str(means),
        device,
        emergency,
        ref,
        *shared,
        worker_day[0],
        stamp(worker_day[1]),
        0,
        r.contract.value,
        sector,
    )


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
        sector=None if m["sector"] is None else Sector(m["sector"]),
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
    worker_days: Sequence[tuple[str, date]],
    sender: Sender,
    created_at: datetime,
    channel: Channel = Channel.WEBSERVICE,
) -> list[StoredRegistration]:
    """Insert ``submitted`` at once; the stored registrations come back in order.
    ``worker_days`` are their worker keys and work days (``gateway.domain.workday``), which
    the caller also queues for the checks."""
    if not submitted:
        return []
    ids, staged = _allocate_ids(connection, len(submitted))
    stamp, moment = temporal_values(connection), moment_values(connection)
    shared = (
        sender.sender_id,
        sender.company_id,
        sender.user_type.value,
        channel.value,
        moment(created_at),
        _REGISTERED,
    )
    rows = [
        _row(registration_id, registration, worker_day, shared, stamp, moment)
        for registration_id, registration, worker_day in zip(
            ids, submitted, worker_days, strict=True
        )
    ]
    table = "staged_registrations" if staging.used(connection) else "registrations"
    try:
        insert_rows(connection, table, NEW_REGISTRATION_COLUMNS, rows)
    except IntegrityError as error:
        if "client_reference" in str(error.orig):
            raise ReferenceTaken() from error
        raise
    staging.merge_when_full(connection, staged + len(rows))
    validation = Validation(Status.REGISTERED)
    history = (validation,)
    return [
        StoredRegistration(
            registration_id, registration, created_at, channel, validation, sender, history
        )
        for registration_id, registration in zip(ids, submitted, strict=True)
    ]


# A staged registration read like a merged one: what the checks add later is still empty.
_AS_MERGED = [
    staged_registrations.c[column.name]
    if column.name in NEW_REGISTRATION_COLUMNS
    else null().label(column.name)
    for column in registrations.columns
]


# Built once with an expanding parameter: built anew for each request, the statement's
# construction and cache key took as long as the rest of a single registration's storing.
_REFERENCES: BindParameter[list[str]] = bindparam("references", expanding=True)
_MERGED_BY_REFERENCE = select(registrations).where(
    registrations.c.sender_id == bindparam("sender_id"),
    registrations.c.client_reference.in_(_REFERENCES),
)
# On SQLite staged registrations may not be merged yet (``storage.staging``).
_ANY_BY_REFERENCE = union_all(
    _MERGED_BY_REFERENCE,
    select(*_AS_MERGED).where(
        staged_registrations.c.sender_id == bindparam("sender_id"),
        staged_registrations.c.client_reference.in_(_REFERENCES),
    ),
)


def find_by_references(
    connection: Connection, sender_id: str, references: Iterable[str]
) -> dict[str, StoredRegistration]:
    """The registrations ``sender_id`` sent earlier under any of ``references``."""
    wanted = _stored_references(connection, sender_id, references)
    if not wanted:
        return {}
    query = _ANY_BY_REFERENCE if staging.used(connection) else _MERGED_BY_REFERENCE
    rows = connection.execute(query, {"sender_id": sender_id, "references": wanted})
    found = (from_row(row) for row in rows)
    return {r.submitted.client_reference: r for r in found if r.submitted.client_reference}


def _stored_references(
    connection: Connection, sender_id: str, references: Iterable[str]
) -> list[str]:
    """Which of ``references`` ``sender_id`` sent before, looked up at the driver: most
    are new (a resend is rare), and then the whole registrations need not be read through
    SQLAlchemy, whose handling of that statement cost more than the rest of storing one."""
    wanted = sorted(set(references))
    if not wanted:
        return []
    tables = ("registrations", "staged_registrations")[: 2 if staging.used(connection) else 1]
    markers = ", ".join(["?"] * len(wanted))
    statement = " UNION ALL ".join(
        f"SELECT client_reference FROM {table} "
        f"WHERE sender_id = ? AND client_reference IN ({markers})"
        for table in tables
    )
    found = at_driver(connection, statement, [sender_id, *wanted] * len(tables))
    return sorted(reference for (reference,) in found)


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
    return found._replace(
        history=found.history + later,
        corrections=corrections.history(connection, registration_id),
    )
