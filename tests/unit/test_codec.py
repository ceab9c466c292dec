"""The XML codec and the acceptance rule, without SOAP or a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from lxml import etree

from gateway.domain.acceptance import TIME_BEFORE_START, TIME_IN_FUTURE, refusal_reasons
from gateway.domain.registration import (
    Address,
    Channel,
    Coordinates,
    RefusedRegistration,
    RegistrationError,
    RegistrationMeans,
    RegistrationType,
    Sender,
    Status,
    StoredRegistration,
    SubmittedRegistration,
    UserType,
    Validation,
)
from gateway.xml import registrations as codec
from gateway.xml.contract import NS_TYPES, SCHEMA_DIR, ContractValidator
from tests.conftest import DATA

VALIDATOR = ContractValidator(SCHEMA_DIR / "PresenceRegistrationProtocol_v1.xsd")


def test_the_fixture_batch_reads_into_domain_registrations():
    request = etree.parse(str(DATA / "registrations.xml")).getroot()
    assert VALIDATOR.errors(request) == []
    first, second, third = codec.read_register_request(request)
    assert first.location == Coordinates(Decimal("50.8466"), Decimal("4.3528"), Decimal("8"))
    assert first.registered_at.utcoffset() == timedelta(hours=1)
    assert isinstance(second.location, Address) and second.location.municipality == "Brussel"
    assert second.registered_at.tzinfo is not None
    assert third.limosa_id == "LIM-2026-00042" and third.inss is None
    assert third.emergency_procedure is True and first.emergency_procedure is False


def sample(**changes: object) -> SubmittedRegistration:
    values: dict[str, object] = {
        "workplace_id": "W<&>1",
        "registration_type": RegistrationType.CHECK_IN,
        "registered_at": datetime(
            2026, 3, 29, 1, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))
        ),
        "means": RegistrationMeans.OTHER,
        "inss": "85073003328",
        "company_id": "0403170701",
        "device_id": 'say "hi"',
    }
    values.update(changes)
    return SubmittedRegistration(**values)  # type: ignore[arg-type]


def test_a_written_response_is_valid_against_the_contract_and_reads_back():
    stored = StoredRegistration(
        id=123456789012345,
        submitted=sample(location=Coordinates(Decimal("-0.0000001"), Decimal("179.9999999"))),
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        channel=Channel.WEBSERVICE,
        last_validation=Validation(Status.REGISTERED),
        sender=Sender("system", "0403170701", UserType.EMPLOYER),
        history=(Validation(Status.REGISTERED),),
    )
    refused = RefusedRegistration(sample(), (RegistrationError(TIME_IN_FUTURE, "too early"),))
    text = codec.write_register_response([stored, refused])
    response = etree.fromstring(text.encode())
    assert VALIDATOR.errors(response) == []
    echoed = response.find(
        f"{{{NS_TYPES}}}PresenceRegistrationResponse/"
        f"{{{NS_TYPES}}}PresenceRegistration/"
        f"{{{NS_TYPES}}}PresenceRegistrationSubmitted"
    )
    assert codec.read_registration(echoed) == stored.submitted


def test_the_get_response_carries_the_history():
    stored = StoredRegistration(
        1,
        sample(location=Address("Rue", "1000", "Bruxelles")),
        datetime(2026, 1, 1, tzinfo=UTC),
        Channel.WEBSERVICE,
        Validation(Status.REGISTERED),
        Sender("s", "0403170701", UserType.OPERATOR),
        (Validation(Status.REGISTERED),),
    )
    response = etree.fromstring(codec.write_get_response(stored).encode())
    assert VALIDATOR.errors(response) == []
    assert len(response.findall(f".//{{{NS_TYPES}}}Validation")) == 1


def test_only_a_time_more_than_the_tolerance_ahead_is_refused():
    now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    tolerance = timedelta(minutes=5)
    assert refusal_reasons(sample(registered_at=now + tolerance), now, tolerance) == ()
    assert refusal_reasons(sample(registered_at=now - timedelta(days=400)), now, tolerance) == ()
    [reason] = refusal_reasons(
        sample(registered_at=now + tolerance + timedelta(seconds=1)), now, tolerance
    )
    assert reason.code == TIME_IN_FUTURE


def test_a_time_before_the_registration_of_presences_began_is_refused():
    now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    tolerance = timedelta(minutes=5)
    first = datetime(2024, 9, 1, tzinfo=timezone(timedelta(hours=2)))  # midnight in Brussels
    assert refusal_reasons(sample(registered_at=first), now, tolerance) == ()
    for unset in (first - timedelta(microseconds=1), datetime(1, 1, 1, tzinfo=UTC)):
        [reason] = refusal_reasons(sample(registered_at=unset), now, tolerance)
        assert reason.code == TIME_BEFORE_START
        assert unset.isoformat() in reason.description


SHAPES = {
    "limosa worker": sample(inss=None, company_id=None, limosa_id="LIM-1"),
    "coordinates": sample(location=Coordinates(Decimal("50.8"), Decimal("4.3"), Decimal("8.5"))),
    "coordinates, no accuracy": sample(location=Coordinates(Decimal("-1"), Decimal("2"))),
    "address": sample(location=Address("Rue", "1000", "Bruxelles")),
    "address, house number": sample(location=Address("Rue", "1000", "Bxl", house_number="1A")),
    "address, country": sample(location=Address("Rue", "1000", "Bxl", country_code="BE")),
    "address, both": sample(location=Address("R", "1", "B", house_number="2", country_code="BE")),
    "no device": sample(device_id=None),
    "reference only": sample(device_id=None, client_reference="ref-1"),
    "emergency": sample(emergency_procedure=True),
    "everything": sample(
        location=Address("R", "1", "B", "3", "NL"), emergency_procedure=True, client_reference="r"
    ),
}


def stored_as(registration: SubmittedRegistration) -> StoredRegistration:
    return StoredRegistration(
        id=1,
        submitted=registration,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        channel=Channel.WEBSERVICE,
        last_validation=Validation(Status.REGISTERED),
        sender=Sender("system", "0403170701", UserType.EMPLOYER),
    )


def as_request(registration: SubmittedRegistration) -> etree._Element:
    """``registration`` as a RegisterPresencesRequest, written by the codec's own writer (its
    echo in an answer) and left without EmergencyProcedure when false, as senders may."""
    answer = etree.fromstring(codec.write_register_response([stored_as(registration)]).encode())
    submitted = answer.find(f".//{{{NS_TYPES}}}PresenceRegistrationSubmitted")
    assert submitted is not None
    submitted.tag = f"{{{NS_TYPES}}}PresenceRegistrationRequest"
    emergency = submitted.find(f"{{{NS_TYPES}}}EmergencyProcedure")
    if emergency is not None and emergency.text == "false":
        submitted.remove(emergency)
    request = etree.Element(f"{{{NS_TYPES}}}RegisterPresencesRequest")
    request.append(submitted)
    return request


def test_every_shape_of_registration_reads_back_as_it_was_written():
    for shape, registration in SHAPES.items():
        request = as_request(registration)
        assert VALIDATOR.errors(request) == [], shape
        assert codec.read_register_request(request) == [registration], shape


def test_decimals_are_answered_without_trailing_zeros_or_exponents():
    written = Coordinates(Decimal("50.84660"), Decimal("-4.0"), Decimal("80"))
    answer = codec.write_register_response([stored_as(sample(location=written))])
    assert (
        "<Latitude>50.8466</Latitude><Longitude>-4</Longitude><AccuracyMeters>80</AccuracyMeters>"
        in answer
    )
    tiny = Coordinates(Decimal("1E-7"), Decimal("0.0000001"), Decimal("12.5"))
    answer = codec.write_register_response([stored_as(sample(location=tiny))])
    assert "<Latitude>0.0000001</Latitude><Longitude>0.0000001</Longitude>" in answer
