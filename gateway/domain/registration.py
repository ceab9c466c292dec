"""A registration of one event in a worker's day, as submitted and as stored.

DOMAIN.md: every schema-valid registration is accepted and stored; checks run afterwards and
raise remarks. Only what cannot be accepted at all (see ``acceptance``) is refused.

A registration and its location are named tuples, made for every registration of every batch
and export: a frozen dataclass took four times as long to build (0.9 against 0.25 us for a
submitted registration), its ``__init__`` setting each field through ``object.__setattr__``.
They are as immutable; what is made once per batch stays a frozen dataclass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import NamedTuple


class RegistrationType(StrEnum):
    CHECK_IN = "CHECK_IN"
    CHECK_OUT = "CHECK_OUT"
    BREAK_START = "BREAK_START"
    BREAK_END = "BREAK_END"
    # A Checkin@Work (PresenceRegistration v1.11) presence: the worker on the site that day.
    PRESENCE = "PRESENCE"


# What a worker registers on the page of a declaration of works: the events of CIaO.
EVENT_TYPES = (
    RegistrationType.CHECK_IN,
    RegistrationType.CHECK_OUT,
    RegistrationType.BREAK_START,
    RegistrationType.BREAK_END,
)


class Contract(StrEnum):
    """The RSZ contract a registration arrived under: CIaO (cleaning, event times) or
    Checkin@Work (PresenceRegistration v1.11: construction, guarding, meat; one presence per
    worker, site and day)."""

    CIAO = "CIAO"
    CHECKIN_AT_WORK = "CHECKINATWORK"


class Sector(IntEnum):
    """The employment sector of a Checkin@Work site (``WorkSectorType``)."""

    CONSTRUCTION = 1
    GUARDING = 2
    MEAT = 3


class RegistrationMeans(StrEnum):
    BADGE = "BADGE"
    TRACK_AND_TRACE = "TRACK_AND_TRACE"
    APPLICATION = "APPLICATION"
    QR_CODE = "QR_CODE"
    URL = "URL"
    OTHER = "OTHER"


class Status(StrEnum):
    REGISTERED = "SUCCESSFULLY REGISTERED"
    VALIDATED = "VALIDATED"
    FAILED = "FAILED"
    CANCELLED = "SUCCESSFULLY CANCELLED"


class Channel(StrEnum):
    """How a registration reached the gateway: this SOAP service, or the page a worker opens
    on a smartphone from a declaration's QR code or URL."""

    WEBSERVICE = "WEBSERVICE"
    WEB = "WEB"


class UserType(StrEnum):
    EMPLOYER = "EMPLOYER"
    OPERATOR = "OPERATOR"
    WORKER = "WORKER"  # the worker on the smartphone page


class Coordinates(NamedTuple):
    """WGS84 position determined by the device."""

    latitude: Decimal
    longitude: Decimal
    accuracy_meters: Decimal | None = None


class Address(NamedTuple):
    """An address typed in by the worker (GPS is not mandatory, Q12)."""

    street: str
    postal_code: str
    municipality: str
    house_number: str | None = None
    country_code: str | None = None


Location = Coordinates | Address


class SubmittedRegistration(NamedTuple):
    """A registration exactly as an employer system sent it.

    The worker is identified either by ``inss`` and the employer's ``company_id``, or by a
    ``limosa_id`` for a worker posted from abroad. ``registered_at`` keeps the sender's offset.
    """

    workplace_id: str
    registration_type: RegistrationType
    registered_at: datetime
    means: RegistrationMeans
    inss: str | None = None
    company_id: str | None = None
    limosa_id: str | None = None
    location: Location | None = None
    device_id: str | None = None
    emergency_procedure: bool = False
    client_reference: str | None = None
    sector: Sector | None = None

    @property
    def contract(self) -> Contract:
        return contract_of(self.registration_type)


def contract_of(registration_type: RegistrationType) -> Contract:
    """The contract a registration of ``registration_type`` arrived under: a presence is
    Checkin@Work's, an event CIaO's."""
    if registration_type is RegistrationType.PRESENCE:
        return Contract.CHECKIN_AT_WORK
    return Contract.CIAO


@dataclass(frozen=True, slots=True)
class Sender:
    """Who transmitted a registration: the account, its enterprise and its role."""

    sender_id: str
    company_id: str
    user_type: UserType


@dataclass(frozen=True, slots=True)
class Remark:
    code: str
    description: str


@dataclass(frozen=True, slots=True)
class Validation:
    status: Status
    validated_at: datetime | None = None
    remarks: tuple[Remark, ...] = ()


@dataclass(frozen=True, slots=True)
class Correction:
    """One value an approved correction changed: the audit trail of a registration."""

    request_id: int
    field: str
    old_value: str
    new_value: str
    corrected_at: datetime


class StoredRegistration(NamedTuple):
    """An accepted registration: what was submitted plus what the gateway gave it."""

    id: int
    submitted: SubmittedRegistration
    created_at: datetime
    channel: Channel
    last_validation: Validation
    sender: Sender
    history: tuple[Validation, ...] = ()
    corrections: tuple[Correction, ...] = ()


@dataclass(frozen=True, slots=True)
class RegistrationError:
    code: str
    description: str


@dataclass(frozen=True, slots=True)
class RefusedRegistration:
    """A registration that cannot be accepted at all, with the reasons (at most 10)."""

    submitted: SubmittedRegistration
    errors: tuple[RegistrationError, ...]


Acknowledgement = StoredRegistration | RefusedRegistration
