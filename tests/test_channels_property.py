"""Whatever text a channel accepts comes back from every answer and export as it was stored,
and every answer and export parses. Hypothesis draws text of any characters, control
characters and non-characters included; the SOAP service and the worker's page either refuse
it (exactly when it holds a character XML cannot carry) or store it, and what they stored is
read through getPresenceRegistration, searchPresences and the XML and CSV exports. On SQLite
and PostgreSQL."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from limits import parse
from lxml import etree

from gateway.domain.characters import is_xml_text
from gateway.domain.workday import BELGIUM
from gateway.services import flood
from gateway.xml.export import spreadsheet_row
from tests.soap import NS, envelope, post
from tests.test_pages_worker import register
from tests.web import WORKPLACE, WebClient, base_of, works_on_site

TEXT = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=12)
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
_references = itertools.count(1)


def _xml_text(value: str) -> str:
    """``value`` in XML as a SOAP stack writes it: markup escaped, a carriage return as a
    character reference; any other character as it is, so that what XML cannot carry
    reaches the gateway as sent."""
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


class Answers:
    """Every answer and export that holds a registration, for the registrations of today."""

    def __init__(self, gateway: Any) -> None:
        self.client = gateway.client()
        self.day = datetime.now(BELGIUM).date()

    def of(self, registration_id: int) -> dict[str, dict[str, str | None]]:
        """What each answer and export gives for ``registration_id``, by element name."""
        got = self.client.service.getPresenceRegistration(PresenceRegistrationId=registration_id)
        period = {"RegistrationPeriod": [{"StartDate": self.day, "EndDate": self.day}]}
        found = self.client.service.searchPresences(
            RegistrationPeriodList=period, PaginationProperties={"FetchSize": 500}
        )
        [searched] = [
            r for r in found.PresenceRegistration if r.PresenceRegistrationId == registration_id
        ]
        service = self.client.service
        exported = service.exportPresences(StartDate=self.day, EndDate=self.day, Format="XML")
        [element] = [
            e
            for e in etree.fromstring(exported.Content)
            if e.findtext("{*}PresenceRegistrationId") == str(registration_id)
        ]
        spreadsheet = service.exportPresences(StartDate=self.day, EndDate=self.day, Format="CSV")
        rows = csv.DictReader(io.StringIO(spreadsheet.Content.decode(), newline=""))
        [row] = [r for r in rows if r["PresenceRegistrationId"] == str(registration_id)]
        return {
            "get": _zeep_values(got.PresenceRegistrationSubmitted),
            "search": _zeep_values(searched.PresenceRegistrationSubmitted),
            "xml export": {
                name: element.findtext(f".//{{*}}{name}")
                for name in ("LimosaId", "DeviceId", "Street", "Municipality")
            },
            "csv export": {"LimosaId": row["LimosaId"], "DeviceId": row["DeviceId"]},
        }


def _zeep_values(submitted: Any) -> dict[str, str | None]:
    address = submitted.Location.Address if submitted.Location is not None else None
    return {
        "LimosaId": submitted.LimosaId,
        "DeviceId": submitted.DeviceId,
        "Street": address.Street if address is not None else None,
        "Municipality": address.Municipality if address is not None else None,
    }


def _check(answers: Answers, registration_id: int, stored: dict[str, str]) -> None:
    for answer, values in answers.of(registration_id).items():
        for name, value in values.items():
            if name not in stored:
                continue
            expected = stored[name]
            if answer == "csv export":
                [expected] = spreadsheet_row([expected])  # type: ignore[assignment]
            assert value == expected, (answer, name)


def test_what_soap_accepts_comes_back_from_every_answer(gateway):
    answers = Answers(gateway)

    @EXAMPLES
    @given(limosa=TEXT, device=TEXT, street=TEXT, municipality=TEXT)
    def sent(limosa: str, device: str, street: str, municipality: str) -> None:
        reference = f"property-{next(_references)}"
        at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="seconds")
        body = (
            f'<RegisterPresencesRequest xmlns="{NS["p"]}"><PresenceRegistrationRequest>'
            f"<LimosaId>{_xml_text(limosa)}</LimosaId><WorkPlaceId>DW2026000001</WorkPlaceId>"
            f"<RegistrationType>CHECK_IN</RegistrationType>"
            f"<RegistrationDateTime>{at}</RegistrationDateTime><Location><Address>"
            f"<Street>{_xml_text(street)}</Street><PostalCode>1000</PostalCode>"
            f"<Municipality>{_xml_text(municipality)}</Municipality></Address></Location>"
            f"<RegistrationMeans>BADGE</RegistrationMeans><DeviceId>{_xml_text(device)}</DeviceId>"
            f"<ClientPresenceRegistrationReference>{reference}"
            "</ClientPresenceRegistrationReference></PresenceRegistrationRequest>"
            "</RegisterPresencesRequest>"
        )
        reply = post(gateway.url, envelope(body))
        values = {"LimosaId": limosa, "DeviceId": device, "Street": street}
        values["Municipality"] = municipality
        if not all(is_xml_text(v) for v in values.values()):
            assert reply.error_code == "Client.XmlSyntax"
            return
        assert reply.status == 200, reply.body
        registration_id = int(reply.xml.findtext(".//p:PresenceRegistrationId", namespaces=NS))
        _check(answers, registration_id, values)

    sent()


@pytest.fixture
def unlimited_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages' flood limits out of the way: a test that sends many forms is not a flood."""
    monkeypatch.setattr(flood, "REGISTRATIONS_PER_DEVICE", parse("100000/minute"))
    monkeypatch.setattr(flood, "REQUESTS_PER_ADDRESS", parse("100000/minute"))


def test_what_the_worker_page_accepts_comes_back_from_every_answer(gateway, unlimited_pages):
    works_on_site(gateway)
    answers = Answers(gateway)
    phone = WebClient(base_of(gateway), language="en")

    @EXAMPLES
    @given(limosa=TEXT, street=TEXT, municipality=TEXT)
    @example(limosa="L\r1", street="Wetstraat\r16", municipality="Brussel")
    def typed(limosa: str, street: str, municipality: str) -> None:
        before = gateway.count()
        start = phone.get(f"/r/{WORKPLACE}")
        step = phone.post(
            f"/r/{WORKPLACE}", {**start.fields(), "kind": "LIMOSA", "identifier": limosa}
        )
        stored = {"LimosaId": limosa.strip(), "Street": street.strip()}
        stored["Municipality"] = municipality.strip()
        if step.status != 200:
            assert not stored["LimosaId"] or not is_xml_text(stored["LimosaId"])
            return
        address = {"street": street, "postal_code": "1000", "municipality": municipality}
        done = register(phone, step, type="CHECK_IN", **address)
        if done.status != 200:
            assert not all(v and is_xml_text(v) for v in stored.values()), done.status
            assert gateway.count() == before
            return
        _check(answers, int(done.text("#recorded-id")), stored)

    typed()
