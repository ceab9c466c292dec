"""The hand-written codec of the hot path against a reference that shares none of its code:
xmlschema decoding the same documents by the published XSD. Every registration of the fixture
corpus reads into the values xmlschema finds, and the acknowledgement echoes exactly what was
submitted (the XSD's default for EmergencyProcedure filled in)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import xmlschema
from lxml import etree

from bench.common import envelope
from gateway.domain.registration import (
    Address,
    Channel,
    Coordinates,
    Sender,
    Status,
    StoredRegistration,
    SubmittedRegistration,
    UserType,
    Validation,
)
from gateway.xml import registrations as codec
from gateway.xml.contract import NS_TYPES, SCHEMA_DIR
from tests.conftest import DATA

SCHEMA = xmlschema.XMLSchema(str(SCHEMA_DIR / "PresenceRegistrationProtocol_v1.xsd"))
P = f"{{{NS_TYPES}}}"


def corpus() -> list[etree._Element]:
    fixture = etree.parse(str(DATA / "registrations.xml")).getroot()
    bench = etree.fromstring(envelope(200, unique=True))[1][0]  # the benchmark's batch
    return [fixture, bench]


def as_reference(registration: SubmittedRegistration) -> dict[str, Any]:
    """The fast codec's reading in xmlschema's shape."""
    r = registration
    location: dict[str, Any] | None = None
    if isinstance(r.location, Coordinates):
        coordinates = {"Latitude": r.location.latitude, "Longitude": r.location.longitude}
        if r.location.accuracy_meters is not None:
            coordinates["AccuracyMeters"] = r.location.accuracy_meters
        location = {"Coordinates": coordinates}
    elif isinstance(r.location, Address):
        address = {"Street": r.location.street, "PostalCode": r.location.postal_code}
        address["Municipality"] = r.location.municipality
        if r.location.house_number is not None:
            address["HouseNumber"] = r.location.house_number
        if r.location.country_code is not None:
            address["CountryCode"] = r.location.country_code
        location = {"Address": address}
    values = {
        "INSS": r.inss,
        "CompanyID": r.company_id,
        "LimosaId": r.limosa_id,
        "WorkPlaceId": r.workplace_id,
        "RegistrationType": r.registration_type.value,
        "RegistrationDateTime": r.registered_at,
        "Location": location,
        "RegistrationMeans": r.means.value,
        "DeviceId": r.device_id,
        "EmergencyProcedure": r.emergency_procedure,
        "ClientPresenceRegistrationReference": r.client_reference,
    }
    return {k: v for k, v in values.items() if v is not None}


def decoded_by_xmlschema(element: etree._Element, *path: str) -> list[dict[str, Any]]:
    """xmlschema's decoding of the document, down ``path`` (local names)."""
    found: list[Any] = [
        SCHEMA.to_dict(
            etree.tostring(element).decode(),
            datetime_types=True,
            decimal_type=Decimal,
            strip_namespaces=True,
        )
    ]
    for step in path:
        found = [v for item in found for v in _as_list(item[step])]
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _normalise(values: dict[str, Any]) -> dict[str, Any]:
    """xmlschema's values with datetimes as aware datetimes and the boolean default."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key.startswith("@"):
            continue
        if key == "RegistrationDateTime":
            value = datetime.fromisoformat(str(value))  # xmlschema's DateTime10 as a datetime
        if key == "Location":
            value = {
                kind: {name: _plain(v) for name, v in fields.items()}
                for kind, fields in value.items()
            }
        out[key] = value
    out.setdefault("EmergencyProcedure", False)
    return out


def _plain(value: Any) -> Any:
    return Decimal(str(value)) if isinstance(value, (float, Decimal)) else value


@pytest.mark.parametrize("document", corpus(), ids=["fixture file", "benchmark batch"])
def test_the_fast_reading_agrees_with_xmlschema(document):
    ours = codec.read_register_request(document)
    theirs = decoded_by_xmlschema(document, "PresenceRegistrationRequest")
    assert len(ours) == len(theirs) == len(document)
    for mine, reference_values in zip(ours, theirs, strict=True):
        assert as_reference(mine) == _normalise(reference_values)


@pytest.mark.parametrize("document", corpus(), ids=["fixture file", "benchmark batch"])
def test_the_acknowledgement_echoes_what_xmlschema_read_in_the_request(document):
    batch = codec.read_register_request(document)
    validation = Validation(Status.REGISTERED)
    stored = [
        StoredRegistration(
            id=number + 1,
            submitted=registration,
            created_at=datetime(2026, 11, 27, 7, tzinfo=UTC),
            channel=Channel.WEBSERVICE,
            last_validation=validation,
            sender=Sender("badge-system", "0403170701", UserType.EMPLOYER),
            history=(validation,),
        )
        for number, registration in enumerate(batch)
    ]
    answer = etree.fromstring(codec.write_register_response(stored).encode())
    assert SCHEMA.is_valid(etree.tostring(answer).decode())
    echoed = decoded_by_xmlschema(
        answer,
        "PresenceRegistrationResponse",
        "PresenceRegistration",
        "PresenceRegistrationSubmitted",
    )
    submitted = decoded_by_xmlschema(document, "PresenceRegistrationRequest")
    assert [_normalise(e) for e in echoed] == [_normalise(s) for s in submitted]
