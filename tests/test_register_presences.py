"""registerPresences through a zeep client against the real WSGI app and a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import zeep
import zeep.helpers
from sqlalchemy import text

from tests.builders import BRUSSELS_WINTER, COMPANY, INSS, batch, registration
from tests.conftest import RunningGateway
from tests.soap import NS, envelope, post, register_body


def plain(value: object) -> object:
    return zeep.helpers.serialize_object(value, dict)


def submit(gateway: RunningGateway, registrations: list[dict]) -> list:
    return gateway.client().service.registerPresences(PresenceRegistrationRequest=registrations)


def accepted(answer) -> object:  # type: ignore[no-untyped-def]
    assert answer.PresenceRegistrationError is None, answer.PresenceRegistrationError
    return answer.PresenceRegistration


def test_every_field_round_trips_with_coordinates_and_its_time_zone(gateway):
    sent = registration(
        RegistrationDateTime=datetime(
            2026, 7, 1, 22, 15, 30, 250000, tzinfo=timezone(timedelta(hours=2))
        ),
        Location={
            "Coordinates": {
                "Latitude": Decimal("50.8503396"),
                "Longitude": Decimal("-4.3517103"),
                "AccuracyMeters": Decimal("12.5"),
            }
        },
        RegistrationMeans="TRACK_AND_TRACE",
        DeviceId="reader-7 <hall> & co",
        EmergencyProcedure=True,
        ClientPresenceRegistrationReference="tt-000001",
    )
    [answer] = submit(gateway, [sent])
    stored = accepted(answer)
    echoed = stored.PresenceRegistrationSubmitted
    for name, value in sent.items():
        if name != "Location":
            assert echoed[name] == value, name
    assert echoed.RegistrationDateTime.utcoffset() == timedelta(hours=2)
    coordinates = echoed.Location.Coordinates
    assert (coordinates.Latitude, coordinates.Longitude, coordinates.AccuracyMeters) == (
        Decimal("50.8503396"),
        Decimal("-4.3517103"),
        Decimal("12.5"),
    )
    assert stored.INSS == INSS
    assert stored.Channel == "WEBSERVICE"
    assert stored.LastValidation.Status == "SUCCESSFULLY REGISTERED"
    assert stored.Sender.SenderId == "badge-system"
    assert stored.Sender.SenderCompanyId == COMPANY
    assert stored.Sender.SenderUserType == "EMPLOYER"
    assert abs(stored.CreationDate - datetime.now(UTC)) < timedelta(minutes=1)

    again = gateway.client().service.getPresenceRegistration(
        PresenceRegistrationId=stored.PresenceRegistrationId
    )
    assert plain(again.PresenceRegistrationSubmitted) == plain(echoed)


def test_an_address_a_limosa_worker_and_a_utc_time_round_trip(gateway):
    sent = registration(
        INSS=None,
        CompanyID=None,
        LimosaId="LIM-2026-00042",
        RegistrationType="BREAK_START",
        RegistrationDateTime=datetime(2026, 11, 27, 11, 0, tzinfo=UTC),
        Location={
            "Address": {
                "Street": "Rue de la Loi",
                "HouseNumber": "16",
                "PostalCode": "1000",
                "Municipality": "Bruxelles",
                "CountryCode": "BE",
            }
        },
        RegistrationMeans="APPLICATION",
    )
    stored = accepted(submit(gateway, [sent])[0])
    echoed = stored.PresenceRegistrationSubmitted
    assert echoed.LimosaId == "LIM-2026-00042"
    assert echoed.INSS is None and stored.INSS is None
    assert echoed.RegistrationDateTime == sent["RegistrationDateTime"]
    assert echoed.Location.Address.Municipality == "Bruxelles"
    assert echoed.Location.Address.HouseNumber == "16"
    assert echoed.EmergencyProcedure is False


def test_a_batch_of_200_is_answered_in_order_with_200_new_ids(gateway):
    answers = submit(gateway, batch(200))
    assert len(answers) == 200
    stored = [accepted(answer) for answer in answers]
    assert [
        s.PresenceRegistrationSubmitted.ClientPresenceRegistrationReference for s in stored
    ] == [f"ref-{i:05d}" for i in range(200)]
    assert len({s.PresenceRegistrationId for s in stored}) == 200
    assert gateway.count() == 200


def test_sending_a_batch_again_returns_the_same_ids_and_stores_nothing_new(gateway):
    first = [accepted(a).PresenceRegistrationId for a in submit(gateway, batch(20))]
    second = [accepted(a).PresenceRegistrationId for a in submit(gateway, batch(20))]
    assert first == second
    assert gateway.count() == 20


def test_a_reference_repeated_within_one_batch_is_stored_once(gateway):
    twice = [
        registration(ClientPresenceRegistrationReference="same"),
        registration(ClientPresenceRegistrationReference="same"),
    ]
    ids = [accepted(a).PresenceRegistrationId for a in submit(gateway, twice)]
    assert ids[0] == ids[1]
    assert gateway.count() == 1


def test_references_belong_to_their_sender(gateway):
    gateway.add_account("other-system", company="0760544138")
    mine = accepted(submit(gateway, [registration(ClientPresenceRegistrationReference="r1")])[0])
    other = gateway.client("other-system").service.registerPresences(
        PresenceRegistrationRequest=[registration(ClientPresenceRegistrationReference="r1")]
    )
    assert accepted(other[0]).PresenceRegistrationId != mine.PresenceRegistrationId
    assert gateway.count() == 2


def test_an_exact_duplicate_without_reference_is_stored_again(gateway):
    submit(gateway, [registration()])
    submit(gateway, [registration()])
    assert gateway.count() == 2


def test_a_time_more_than_five_minutes_ahead_is_refused_and_not_stored(gateway):
    future = datetime.now(BRUSSELS_WINTER) + timedelta(minutes=10)
    near = datetime.now(BRUSSELS_WINTER) + timedelta(minutes=2)
    answers = submit(
        gateway,
        [registration(RegistrationDateTime=future), registration(RegistrationDateTime=near)],
    )
    refused = answers[0].PresenceRegistrationError
    assert answers[0].PresenceRegistration is None
    assert refused.ErrorList.Error[0].ErrorCode == "REGISTRATION_TIME_IN_FUTURE"
    assert refused.PresenceRegistrationSubmitted.RegistrationDateTime == future.replace(
        microsecond=future.microsecond
    )
    accepted(answers[1])
    assert gateway.count() == 1


@pytest.mark.parametrize(
    "unset", ["0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z"]
)
def test_a_time_of_a_clock_never_set_is_refused_and_not_stored(gateway, unset):
    """.NET's and Unix's first moments, which a badge reader without a set clock sends; the
    first is not a day in Belgium at all."""
    answers = submit(
        gateway, [registration(RegistrationDateTime=datetime.fromisoformat(unset)), registration()]
    )
    refused = answers[0].PresenceRegistrationError
    assert answers[0].PresenceRegistration is None
    assert refused.ErrorList.Error[0].ErrorCode == "REGISTRATION_TIME_BEFORE_START"
    assert "1 September 2024" in refused.ErrorList.Error[0].ErrorDescription
    accepted(answers[1])
    assert gateway.count() == 1


def fault_of(call) -> zeep.exceptions.Fault:  # type: ignore[no-untyped-def]
    with pytest.raises(zeep.exceptions.Fault) as raised:
        call()
    return raised.value


def business_error(fault: zeep.exceptions.Fault) -> dict:
    detail = fault.detail[0]
    assert detail.tag == "{urn:ciao:errors:v1}BusinessError"
    ns = {"e": "urn:ciao:errors:v1"}
    return {
        "code": detail.findtext("e:Code", namespaces=ns),
        "messages": [m.text for m in detail.findall("e:Message", namespaces=ns)],
        "id": detail.get("Id"),
        "environment": detail.findtext("e:Environment", namespaces=ns),
    }


def test_a_schema_invalid_batch_is_refused_with_every_error_and_nothing_is_stored(gateway):
    client = gateway.client()
    bad = [
        registration(),
        registration(INSS="8507300332"),
        registration(),
        registration(CompanyID="2403170701", WorkPlaceId="W" * 14),
    ]
    fault = fault_of(lambda: client.service.registerPresences(PresenceRegistrationRequest=bad))
    assert fault.code.endswith("Client.SchemaValidation")
    error = business_error(fault)
    assert error["code"] == "Client.SchemaValidation"
    assert error["environment"] == "Test" and error["id"]
    messages = error["messages"]
    assert len(messages) == 3
    assert "PresenceRegistrationRequest[2]/INSS" in messages[0] and "'8507300332'" in messages[0]
    assert "PresenceRegistrationRequest[4]/CompanyID" in messages[1]
    assert "PresenceRegistrationRequest[4]/WorkPlaceId" in messages[2]
    assert all(m.startswith("line ") for m in messages)
    assert gateway.count() == 0


def test_a_batch_of_201_is_refused_and_nothing_is_stored(gateway):
    reply = post(gateway.url, envelope(register_body(201)))
    assert reply.status == 500
    assert reply.fault_code == "soap11env:Client.SchemaValidation"
    assert reply.error_code == "Client.SchemaValidation"
    (message,) = [m for m in reply.messages if "PresenceRegistrationRequest[201]" in m]
    assert message.endswith("At most 200 PresenceRegistrationRequest elements are allowed here.")
    assert gateway.count() == 0


def test_a_batch_of_200_sent_as_raw_xml_is_accepted(gateway):
    reply = post(gateway.url, envelope(register_body(200)))
    assert reply.status == 200
    assert len(reply.xml.findall(".//p:PresenceRegistrationId", namespaces=NS)) == 200


def _install_failure_on_device(gateway: RunningGateway, device: str) -> None:
    """A real database failure: a trigger that aborts the insert of one row (on SQLite into
    the staged registrations, where registering inserts)."""
    with gateway.engine.begin() as connection:
        if gateway.engine.dialect.name == "sqlite":
            connection.execute(
                text(
                    "CREATE TRIGGER explode BEFORE INSERT ON staged_registrations "
                    f"WHEN NEW.device_id = '{device}' "
                    "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
                )
            )
        else:
            connection.execute(
                text(
                    "CREATE FUNCTION explode() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    f"IF NEW.device_id = '{device}' THEN RAISE EXCEPTION 'disk on fire'; END IF; "
                    "RETURN NEW; END $$"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER explode BEFORE INSERT ON registrations "
                    "FOR EACH ROW EXECUTE FUNCTION explode()"
                )
            )


def _remove_failure(gateway: RunningGateway) -> None:
    with gateway.engine.begin() as connection:
        if gateway.engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER explode"))
        else:
            connection.execute(text("DROP TRIGGER explode ON registrations"))
            connection.execute(text("DROP FUNCTION explode()"))


def test_a_database_failure_mid_batch_gives_a_retryable_system_error_and_stores_nothing(gateway):
    registrations = batch(50)
    registrations[30]["DeviceId"] = "EXPLODE"
    _install_failure_on_device(gateway, "EXPLODE")
    try:
        client = gateway.client()
        fault = fault_of(
            lambda: client.service.registerPresences(PresenceRegistrationRequest=registrations)
        )
    finally:
        _remove_failure(gateway)
    detail = fault.detail[0]
    ns = {"e": "urn:ciao:errors:v1"}
    assert detail.tag == "{urn:ciao:errors:v1}SystemError"
    assert detail.findtext("e:Code", namespaces=ns) == "Server.Unavailable"
    assert detail.findtext("e:Retry", namespaces=ns) == "true"
    assert "disk on fire" not in fault.message
    assert gateway.count() == 0
    # The same batch goes through once the database is healthy again.
    assert len(submit(gateway, registrations)) == 50
    assert gateway.count() == 50
