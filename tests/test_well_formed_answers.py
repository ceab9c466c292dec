"""Every answer is well-formed XML whatever the database holds: a character XML 1.0 cannot
carry, stored before the channels refused it (or by hand), is answered as U+FFFD; a carriage
return is answered as the carriage return it is. Read by a real client (zeep), on SQLite and
PostgreSQL; Checkin@Work's answers as well as CIaO's."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time

from lxml import etree
from sqlalchemy import text

from gateway.domain.characters import is_xml_text
from gateway.xml.characters import well_formed
from storage.database import transaction
from tests.builders import BRUSSELS_WINTER, registration
from tests.checkinatwork import RszClient, rsz_protocol
from tests.conftest import DAY
from tests.test_checkinatwork import presence

ADDRESS = {"Street": "Wetstraat", "HouseNumber": "16", "PostalCode": "1000", "Municipality": "X"}
# Column -> (as stored before the fix, as every answer gives it).
STORED = {
    "street": ("Wet\x01straat", "Wet\ufffdstraat"),
    "municipality": ("Brus\x1bsel", "Brus\ufffdsel"),
    "house_number": ("16\ufffe", "16\ufffd"),
    "device_id": ("reader\r7\x0b", "reader\r7\ufffd"),
}


def _submitted(found):  # type: ignore[no-untyped-def]
    submitted = found.PresenceRegistrationSubmitted
    address = submitted.Location.Address
    return {
        "street": address.Street,
        "municipality": address.Municipality,
        "house_number": address.HouseNumber,
        "device_id": submitted.DeviceId,
    }


ANSWERED = {column: answered for column, (_, answered) in STORED.items()}


def test_every_answer_is_well_formed_whatever_was_stored_before(gateway):
    client = gateway.client()
    sent = registration(
        RegistrationDateTime=datetime.combine(DAY, time(7), BRUSSELS_WINTER),
        Location={"Address": ADDRESS},
        DeviceId="reader-7",
        ClientPresenceRegistrationReference="ref-1",
    )
    [answer] = client.service.registerPresences(PresenceRegistrationRequest=[sent])
    registration_id = answer.PresenceRegistration.PresenceRegistrationId
    correction = client.service.requestCorrection(
        PresenceRegistrationId=registration_id,
        CorrectionType="WRONG_WORKPLACE_ID",
        ProposedValue="DW2026000002",
        Motivation="typed wrong",
    )
    with transaction(gateway.engine) as connection:  # as data stored before the fix
        changed = connection.execute(
            text(
                "UPDATE registrations SET street = :street, municipality = :municipality,"
                " house_number = :house_number, device_id = :device_id WHERE id = :id"
            ),
            {column: stored for column, (stored, _) in STORED.items()} | {"id": registration_id},
        )
        assert changed.rowcount == 1
        connection.execute(
            text("UPDATE correction_requests SET motivation = :motivation"),
            {"motivation": "typed\x02wrong"},
        )

    found = client.service.getPresenceRegistration(PresenceRegistrationId=registration_id)
    assert _submitted(found) == ANSWERED
    searched = client.service.searchPresences(
        RegistrationPeriodList={"RegistrationPeriod": [{"StartDate": DAY, "EndDate": DAY}]}
    )
    assert [_submitted(r) for r in searched.PresenceRegistration] == [ANSWERED]
    # Sent again: answered with the original, as stored (by the ingest path).
    [again] = client.service.registerPresences(PresenceRegistrationRequest=[sent])
    assert again.PresenceRegistration.PresenceRegistrationId == registration_id
    assert _submitted(again.PresenceRegistration) == ANSWERED

    exported = client.service.exportPresences(StartDate=DAY, EndDate=DAY, Format="XML")
    [element] = etree.fromstring(exported.Content)
    assert element.findtext(".//{*}Street") == ANSWERED["street"]
    spreadsheet = client.service.exportPresences(StartDate=DAY, EndDate=DAY, Format="CSV")
    [row] = csv.DictReader(io.StringIO(spreadsheet.Content.decode(), newline=""))
    assert row["DeviceId"] == STORED["device_id"][0]  # a CSV file carries it as it is

    listed = gateway.admin().service.listCorrectionRequests()
    assert [r.CorrectionRequestId for r in listed] == [correction.CorrectionRequestId]
    assert listed[0].Motivation == "typed\ufffdwrong"
    [cancelled] = client.service.cancelPresences(
        CancelPresenceRequest=[
            {"PresenceRegistrationId": registration_id, "CancellationReason": "ERROR"}
        ]
    )
    assert _submitted(cancelled.PresenceRegistration) == ANSWERED


def test_an_answer_without_such_characters_is_the_same_text():
    answer = "<a>Liège, Łódź, \U0001f9f9, tab\tand\nline</a>"
    assert well_formed(answer) is answer
    assert is_xml_text(answer)
    assert not is_xml_text("\x00") and not is_xml_text("\ufffe") and not is_xml_text("\ud800")
    assert well_formed("<a>\x00\x08\x0b\x0c\x0e\x1f\x7f\ufffe\uffff</a>") == (
        "<a>" + "\ufffd" * 6 + "\x7f" + "\ufffd" * 2 + "</a>"
    )


def test_a_checkinatwork_answer_built_with_lxml_carries_them_as_u_fffd(gateway):
    client = RszClient(gateway)
    [answer] = client.service.registerPresences(
        PresenceRegistrationRequest=[presence(ClientPresenceRegistrationReference="r-1")]
    )
    registration_id = answer.PresenceRegistration.PresenceRegistrationId
    with transaction(gateway.engine) as connection:  # as data put in the database by hand
        changed = connection.execute(
            text("UPDATE registrations SET client_reference = :reference WHERE id = :id"),
            {"reference": "r\x01\r1", "id": registration_id},
        )
        assert changed.rowcount == 1
    found = client.service.getPresenceRegistration(
        GetPresenceRegistrationRequest={"PresenceRegistrationId": registration_id}
    )
    submitted = found.GetPresenceRegistrationType.PresenceRegistrationType
    consulted = submitted.PresenceRegistrationConsultSubmitted
    assert consulted.ClientPresenceRegistrationReference == "r\ufffd\r1"
    rsz_protocol().assertValid(client.last_answer())
