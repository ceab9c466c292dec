"""Checkin@Work (PresenceRegistration v1.11): a zeep client built from the RSZ's own WSDL,
unchanged but for its address and its UsernameToken, registers presences on the gateway; every
answer validates against the RSZ's own protocol XSD."""

from __future__ import annotations

import re
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import zeep
from lxml import etree
from sqlalchemy import text

from gateway.domain.remarks import BY_CODE
from gateway.domain.workday import BELGIUM
from gateway.xml.contract import SCHEMA_DIR, ContractValidator
from storage.database import reading
from tests.checkinatwork import NS_ERR, NS_T, RszClient, rsz_errors, rsz_file, rsz_protocol, url
from tests.conftest import RunningGateway
from tests.soap import WSSE, envelope, post

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
TODAY = datetime.now(BELGIUM).date()
INSS, COMPANY, WORKPLACE = "85073003328", 403170701, "DW2026000001"


def presence(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "RegistrationDate": TODAY,
        "INSS": INSS,
        "CompanyID": COMPANY,
        "WorkPlaceId": WORKPLACE,
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def stored(gateway: RunningGateway) -> list[tuple[object, ...]]:
    with reading(gateway.engine) as connection:
        rows = connection.execute(
            text(
                "SELECT registration_type, contract, sector, company_id, work_day "
                "FROM registrations ORDER BY id"
            )
        )
        return [(*row[:4], str(row[4])) for row in rows]


def test_a_client_of_the_rsz_wsdl_registers_a_presence_stored_once(gateway):
    client = RszClient(gateway)
    answers = client.service.registerPresences(
        PresenceRegistrationRequest=[presence(ClientPresenceRegistrationReference="site-1")]
    )
    rsz_protocol().assertValid(client.last_answer())
    [answer] = answers
    registered = answer.PresenceRegistration
    assert registered.PresenceRegistrationSubmitted.CompanyID == COMPANY
    assert registered.PresenceRegistrationSubmitted.RegistrationDate == TODAY
    assert registered.Sector == 1
    assert registered.INSS == INSS
    assert registered.Channel == "WS"
    assert registered.LastValidation.Status == "SUCCESSFULLY REGISTERED"
    assert registered.Sender.SenderId == "badge-system"
    assert stored(gateway) == [("PRESENCE", "CHECKINATWORK", 1, "0403170701", str(TODAY))]

    again = client.service.registerPresences(
        PresenceRegistrationRequest=[presence(ClientPresenceRegistrationReference="site-1")]
    )
    rsz_protocol().assertValid(client.last_answer())
    assert again[0].PresenceRegistration.PresenceRegistrationId == (
        registered.PresenceRegistrationId
    )
    assert len(stored(gateway)) == 1


def test_a_presence_without_a_day_is_for_today_and_tomorrow_is_allowed(gateway):
    client = RszClient(gateway)
    answers = client.service.registerPresences(
        PresenceRegistrationRequest=[
            presence(RegistrationDate=None),
            presence(RegistrationDate=TODAY + timedelta(days=1)),
        ]
    )
    rsz_protocol().assertValid(client.last_answer())
    days = [a.PresenceRegistration.PresenceRegistrationSubmitted.RegistrationDate for a in answers]
    assert days == [TODAY, TODAY + timedelta(days=1)]


def test_a_posted_worker_registers_by_limosa_id(gateway):
    client = RszClient(gateway, strict=False)  # zeep's strict mode misreads the LimosaId echo
    [answer] = client.service.registerPresences(
        PresenceRegistrationRequest=[{"LimosaId": "L2026000123", "WorkPlaceId": WORKPLACE}]
    )
    rsz_protocol().assertValid(client.last_answer())
    assert answer.PresenceRegistration.PresenceRegistrationSubmitted.LimosaId == "L2026000123"
    assert stored(gateway)[0][:3] == ("PRESENCE", "CHECKINATWORK", 1)


def test_what_the_v1_contract_refuses_is_answered_with_its_business_codes_and_not_stored(
    gateway,
):
    client = RszClient(gateway)
    answers = client.service.registerPresences(
        PresenceRegistrationRequest=[
            presence(CompanyID=403170702),  # checksum
            presence(CompanyID=2403170701),  # not an enterprise number
            presence(WorkPlaceId="dw-1"),
            presence(INSS="85073003329"),
            presence(RegistrationDate=TODAY + timedelta(days=2)),
            presence(RegistrationDate=TODAY - timedelta(days=1)),
            presence(),
        ]
    )
    rsz_protocol().assertValid(client.last_answer())
    codes = [
        [e.ErrorCode for e in a.PresenceRegistrationError.ErrorList.Error] for a in answers[:-1]
    ]
    assert codes == [["3"], ["2"], ["4"], ["5"], ["6"], ["6"]]
    assert answers[-1].PresenceRegistration.PresenceRegistrationId
    assert len(stored(gateway)) == 1


def test_a_wrong_password_is_the_platforms_not_authenticated_fault(gateway):
    client = RszClient(gateway, password="wrong")
    with pytest.raises(zeep.exceptions.Fault) as raised:
        client.service.registerPresences(PresenceRegistrationRequest=[presence()])
    detail = raised.value.detail[0]
    rsz_errors().assertValid(detail)
    assert detail.tag == f"{{{NS_ERR}}}SystemError"
    assert detail.findtext(f"{{{NS_ERR}}}Code") == "SOA-01001"
    assert detail.findtext(f"{{{NS_ERR}}}Origin") == "Consumer"
    assert raised.value.code.endswith("Client")
    assert stored(gateway) == []


def _register(body: str) -> str:
    return (
        f'<v1:RegisterPresencesRequest xmlns:v1="http://socialsecurity.be/presenceregistration/v1"'
        f' xmlns:t="{NS_T}">{body}</v1:RegisterPresencesRequest>'
    )


def test_a_request_against_the_xsd_is_refused_whole_with_the_line_and_element(gateway):
    good = (
        f"<v1:PresenceRegistrationRequest><t:INSS>{INSS}</t:INSS><t:CompanyID>{COMPANY}"
        f"</t:CompanyID><t:WorkPlaceId>{WORKPLACE}</t:WorkPlaceId>"
        "</v1:PresenceRegistrationRequest>"
    )
    bad = good.replace(INSS, "8507300332X")
    reply = post(url(gateway), envelope(_register(good + "\n" + bad)))
    assert reply.status == 500
    detail = reply.xml.find(f".//{{{NS_ERR}}}SystemError")
    rsz_errors().assertValid(detail)
    assert detail.findtext(f"{{{NS_ERR}}}Code") == "SOA-03006"
    message = detail.findtext(f"{{{NS_ERR}}}Message")
    assert "PresenceRegistrationRequest[2]/INSS" in message and "line" in message
    assert stored(gateway) == []


def test_a_limosa_id_longer_than_a_limosa_declarations_is_a_content_fault(gateway):
    body = _register(
        f"<v1:PresenceRegistrationRequest><t:LimosaId>{'9' * 31}</t:LimosaId>"
        f"<t:WorkPlaceId>{WORKPLACE}</t:WorkPlaceId></v1:PresenceRegistrationRequest>"
    )
    reply = post(url(gateway), envelope(body))
    detail = reply.xml.find(f".//{{{NS_ERR}}}SystemError")
    rsz_errors().assertValid(detail)
    assert detail.findtext(f"{{{NS_ERR}}}Code") == "SOA-03007"
    assert "LimosaId" in detail.findtext(f"{{{NS_ERR}}}Message")
    assert stored(gateway) == []


def test_the_wsdl_and_its_schemas_are_served_with_the_rsz_names(gateway):
    with urllib.request.urlopen(url(gateway) + "?wsdl", timeout=10) as response:
        wsdl = response.read()
    for name in (
        b'name="PresenceRegistrationService"',
        b'name="PresenceRegistrationSOAP11"',
        b'name="PresenceRegistrationSOAPBinding"',
        b"?xsd=CheckinAtWorkProtocol_v1.xsd",
        b"?xsd=SocialSecurityErrors_v1.xsd",
    ):
        assert name in wsdl
    assert WSSE.encode() not in wsdl  # no policy: a UsernameToken in the header suffices
    with urllib.request.urlopen(url(gateway), timeout=10) as response:
        assert response.read().startswith(b"Checkin@Work SOAP service")


GUIDE = Path(__file__).parents[1] / "docs" / "integration.md"


def test_the_guides_checkinatwork_samples_are_valid_and_answered(gateway):
    samples = re.findall(
        r"```xml\n<!-- checkinatwork (\w+): (\w+) -->\n(.*?)```", GUIDE.read_text(), flags=re.S
    )
    assert [(kind, operation) for kind, operation, _ in samples] == [
        ("request", "registerPresences"),
        ("response", "registerPresences"),
    ]
    ours = ContractValidator(SCHEMA_DIR / "CheckinAtWorkProtocol_v1.xsd")
    for _, _, sample in samples:
        body = etree.fromstring(sample.encode()).find(f"{{{SOAP}}}Body")[0]
        assert ours.errors(body) == []
        rsz_protocol().assertValid(body)
    request = etree.fromstring(samples[0][2].encode()).find(f"{{{SOAP}}}Body")[0]
    reply = post(url(gateway), envelope(etree.tostring(request).decode()))
    assert reply.status == 200
    answer = reply.xml.find(f"{{{SOAP}}}Body")[0]
    rsz_protocol().assertValid(answer)


def test_a_doctype_is_refused_as_a_malformed_message_and_nothing_stored(gateway):
    hostile = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "85073003328">]>' + envelope(
        _register("")
    )
    reply = post(url(gateway), hostile)
    detail = reply.xml.find(f".//{{{NS_ERR}}}SystemError")
    rsz_errors().assertValid(detail)
    assert detail.findtext(f"{{{NS_ERR}}}Code") == "SOA-03001"
    assert stored(gateway) == []


def test_a_strict_zeep_client_builds_from_the_served_wsdl_alone(gateway):
    client = zeep.Client(url(gateway) + "?wsdl", settings=zeep.Settings(strict=True))
    assert set(client.service._binding._operations) == {
        "registerPresences",
        "cancelPresences",
        "searchPresences",
        "getPresenceRegistration",
    }


# The remarks the checks can give a presence (docs/remarks.md, "Checkin@Work presences").
PRESENCE_REMARKS = (
    "INSS_UNKNOWN",
    "LIMOSA_UNKNOWN",
    "LIMOSA_INACTIVE",
    "COMPANY_UNKNOWN",
    "COMPANY_INACTIVE",
    "NO_EMPLOYMENT",
    "DECLARATION_UNKNOWN",
    "DECLARATION_INACTIVE",
    "SITE_NOT_SUBJECT",
    "COMPANY_NOT_IN_CHAIN",
    "PREVIOUS_CONTRACTOR",
    "DUPLICATE",
)


def test_every_remark_a_presence_can_get_is_worded_as_the_v1_contract_words_it():
    types = etree.parse(
        str(rsz_file("presenceregistration", "schemas", "v1", "PresenceRegistration_types_v1.xsd"))
    )
    worded = set(
        types.xpath(
            "//xs:simpleType[@name='SearchRemarkType']//xs:enumeration/@value",
            namespaces={"xs": "http://www.w3.org/2001/XMLSchema"},
        )
    )
    assert {BY_CODE[code].text for code in PRESENCE_REMARKS} <= worded
    assert f"`{'`, `'.join(PRESENCE_REMARKS[:3])}`" in (GUIDE.parent / "remarks.md").read_text()


def test_a_batch_of_201_presences_is_refused_whole_by_the_xsd(gateway):
    item = (
        f"<v1:PresenceRegistrationRequest><t:INSS>{INSS}</t:INSS><t:CompanyID>{COMPANY}"
        f"</t:CompanyID><t:WorkPlaceId>{WORKPLACE}</t:WorkPlaceId>"
        "</v1:PresenceRegistrationRequest>"
    )
    reply = post(url(gateway), envelope(_register(item * 201)))
    detail = reply.xml.find(f".//{{{NS_ERR}}}SystemError")
    assert detail.findtext(f"{{{NS_ERR}}}Code") == "SOA-03006"
    assert stored(gateway) == []
