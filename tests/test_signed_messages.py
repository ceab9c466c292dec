"""Messages signed with an X.509 certificate, as the RSZ's WS-SecurityPolicy asks, in place
of a UsernameToken: accepted from the stacks integrators use, refused with a
Client.SignatureRejected fault naming the reason, and with nothing stored, otherwise."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import zeep
from cryptography.x509 import load_pem_x509_certificate
from lxml import etree
from signxml import XMLSigner
from signxml.algorithms import SignatureConstructionMethod
from zeep.wsse.compose import Compose

from clients.cli import main as client_cli
from clients.signing import KEY_REFERENCES, NS_DS, NS_WSU
from gateway.cli import main as gateway_cli
from gateway.domain.workday import BELGIUM
from tests.checkinatwork import BINDING, NS_ERR, rsz_wsdl, url
from tests.conftest import DATA, RunningGateway
from tests.signing import Pair, assertion, pair, register, security, signed
from tests.signing import xmlsec as signing_binding
from tests.soap import NS, Reply, post

GUIDE = (Path(__file__).parents[1] / "docs" / "integration.md").read_text()
REGISTRATION = {
    "INSS": "85073003328",
    "CompanyID": "0403170701",
    "WorkPlaceId": "DW2026000001",
    "RegistrationType": "CHECK_IN",
    "RegistrationDateTime": "2026-11-27T07:00:00+01:00",
    "RegistrationMeans": "BADGE",
}


@pytest.fixture
def made(sqlite_gateway: RunningGateway) -> Pair:
    """The certificate pair of the account badge-system, registered to it."""
    registered = pair()
    register(sqlite_gateway, registered)
    return registered


def send(gateway: RunningGateway, document: etree._Element) -> Reply:
    return post(gateway.url, etree.tostring(document))


def refused(gateway: RunningGateway, document: etree._Element, reason: str) -> None:
    reply = send(gateway, document)
    assert reply.status == 500, reply.body
    assert reply.error_code == "Client.SignatureRejected", reply.body
    assert reason in " ".join(reply.messages)
    assert gateway.count() == 0


@pytest.mark.parametrize("key_reference", KEY_REFERENCES)
def test_a_registration_signed_by_a_registered_certificate_is_accepted_however_it_names_it(
    sqlite_gateway, made, key_reference
):
    reply = send(sqlite_gateway, signed(made, key_reference=key_reference))
    assert reply.status == 200, reply.body
    assert reply.xml.find(".//p:PresenceRegistrationId", NS) is not None
    assert sqlite_gateway.count() == 1


def guide_zeep(gateway, tmp_path, made) -> dict[str, Any]:
    """The integration guide's zeep set-up, run with this gateway's address and ``made``."""
    found = re.search(r"### With zeep.*?```python\n(.*?)```", GUIDE, re.DOTALL)
    assert found is not None
    (tmp_path / "me.pem").write_bytes(made.certificate)
    (tmp_path / "me-key.pem").write_bytes(made.key)
    code = (
        found.group(1)
        .replace("http://127.0.0.1:8000/PresenceRegistration/v1?wsdl", gateway.wsdl_url)
        .replace('"me-key.pem"', repr(str(tmp_path / "me-key.pem")))
        .replace('"me.pem"', repr(str(tmp_path / "me.pem")))
    )
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    return namespace


def test_the_guides_zeep_client_signing_with_zeep_wsse_signature_is_accepted(gateway, tmp_path):
    signing_binding()
    made = pair()
    register(gateway, made)
    client = guide_zeep(gateway, tmp_path, made)["client"]
    answers = client.service.registerPresences(PresenceRegistrationRequest=[REGISTRATION])
    registration_id = answers[0].PresenceRegistration.PresenceRegistrationId
    found = client.service.getPresenceRegistration(PresenceRegistrationId=registration_id)
    assert found.PresenceRegistrationSubmitted.INSS == "85073003328"
    assert gateway.count() == 1


def zeep_client(gateway, guide, signature) -> zeep.Client:
    return zeep.Client(
        gateway.wsdl_url,
        settings=zeep.Settings(strict=True),
        wsse=Compose([guide["Timestamp"](), signature]),
    )


def test_zeep_wsse_signature_with_its_sha1_defaults_is_refused(sqlite_gateway, made, tmp_path):
    signing_binding()
    guide = guide_zeep(sqlite_gateway, tmp_path, made)
    signature = guide["RequestSignature"](str(tmp_path / "me-key.pem"), str(tmp_path / "me.pem"))
    with pytest.raises(zeep.exceptions.Fault) as fault:
        zeep_client(sqlite_gateway, guide, signature).service.registerPresences(
            PresenceRegistrationRequest=[REGISTRATION]
        )
    assert fault.value.code.endswith(":Client.SignatureRejected")
    assert "SHA-1 is not accepted" in fault.value.message
    assert sqlite_gateway.count() == 0


def test_a_sha1_digest_under_an_rsa_sha256_signature_is_refused(sqlite_gateway, made, tmp_path):
    xmlsec = signing_binding()
    guide = guide_zeep(sqlite_gateway, tmp_path, made)
    signature = guide["RequestSignature"](
        str(tmp_path / "me-key.pem"),
        str(tmp_path / "me.pem"),
        signature_method=xmlsec.Transform.RSA_SHA256,
    )
    with pytest.raises(zeep.exceptions.Fault) as fault:
        zeep_client(sqlite_gateway, guide, signature).service.registerPresences(
            PresenceRegistrationRequest=[REGISTRATION]
        )
    assert "DigestMethod http://www.w3.org/2000/09/xmldsig#sha1 is refused" in fault.value.message
    assert sqlite_gateway.count() == 0


def test_a_body_that_is_not_signed_is_refused(sqlite_gateway, made):
    document = signed(made)
    for signature in security(document).iterfind("ds:Signature", {"ds": NS_DS}):
        security(document).remove(signature)
    refused(sqlite_gateway, document, "holds a BinarySecurityToken but no ds:Signature")


def signed_over(made: Pair, document: etree._Element, parts: list[str]) -> etree._Element:
    """``document`` with its signature made again over the parts whose wsu:Id begins with one
    of ``parts`` (TS, X509, id: the Body) alone: a genuine signature over something else."""
    old = security(document).find("ds:Signature", {"ds": NS_DS})
    security(document).remove(old)
    ids = [e.get(f"{{{NS_WSU}}}Id") for e in document.iter() if e.get(f"{{{NS_WSU}}}Id")]
    signature = XMLSigner(
        method=SignatureConstructionMethod.detached,
        c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#",
    ).sign(
        document,
        key=made.key,
        reference_uri=["#" + i for i in ids if i.split("-")[0] in parts],
        key_info=old.find("ds:KeyInfo", {"ds": NS_DS}),
    )
    security(document).append(signature)
    return document


@pytest.mark.parametrize("parts", [["TS"], ["TS", "X509"]])
def test_a_signature_over_something_else_than_the_body_is_refused(sqlite_gateway, made, parts):
    document = signed_over(made, signed(made), parts)
    refused(sqlite_gateway, document, "The signature does not cover the soap:Body")


def test_a_signature_without_a_timestamp_is_refused(sqlite_gateway, made):
    document = signed(made)
    security(document).remove(security(document).find(f"{{{NS_WSU}}}Timestamp"))
    refused(sqlite_gateway, signed_over(made, document, ["id"]), "exactly one wsu:Timestamp")


def test_a_body_changed_after_signing_is_refused(sqlite_gateway, made):
    document = signed(made)
    document.find(".//p:INSS", NS).text = "05010104566"
    refused(sqlite_gateway, document, "Digest mismatch")


def test_a_signature_made_by_another_key_than_the_named_certificate_is_refused(sqlite_gateway):
    made, other = pair(), pair("someone-else")
    register(sqlite_gateway, made)
    document = signed(other, key_reference="issuer-serial")
    serial = document.find(".//ds:X509SerialNumber", {"ds": NS_DS})
    serial.text = str(load_pem_x509_certificate(made.certificate).serial_number)
    issuer = document.find(".//ds:X509IssuerName", {"ds": NS_DS})
    issuer.text = "CN=badge-system"
    refused(sqlite_gateway, document, "The signature does not hold")


def test_an_unknown_certificate_is_refused(sqlite_gateway):
    refused(sqlite_gateway, signed(pair("unknown")), "is not registered to an account")


def test_an_expired_certificate_is_refused(sqlite_gateway):
    made = pair("expired", days=10, start_days=-20)
    register(sqlite_gateway, made)
    refused(sqlite_gateway, signed(made), "expired on")


def test_a_certificate_not_yet_valid_is_refused(sqlite_gateway):
    made = pair("not-yet", days=10, start_days=2)
    register(sqlite_gateway, made)
    refused(sqlite_gateway, signed(made), "is not valid before")


@pytest.mark.parametrize(
    ("moved", "reason"),
    [(timedelta(minutes=-10), "seconds away from"), (timedelta(minutes=10), "seconds away from")],
)
def test_a_timestamp_outside_the_allowed_skew_is_refused(sqlite_gateway, moved, reason):
    made = pair()
    register(sqlite_gateway, made)
    refused(sqlite_gateway, signed(made, now=datetime.now(UTC) + moved), reason)


def test_an_expired_timestamp_is_refused(sqlite_gateway, made):
    document = signed(
        made, now=datetime.now(UTC) - timedelta(seconds=90), lifetime=timedelta(seconds=60)
    )
    refused(sqlite_gateway, document, "The signed Timestamp expired at")


def test_a_replayed_signature_is_refused_and_stores_nothing_more(gateway):
    made = pair()
    register(gateway, made)
    document = signed(made)
    assert send(gateway, document).status == 200
    reply = send(gateway, document)
    assert reply.error_code == "Client.SignatureRejected"
    assert "This signature was received before" in reply.messages[0]
    assert gateway.count() == 1


def test_a_signed_body_moved_out_of_the_way_of_another_body_is_refused(sqlite_gateway):
    """Signature wrapping: the signed Body is kept (in a header), another one processed."""
    made = pair()
    register(sqlite_gateway, made)
    document = signed(made)
    body = document.find("soap:Body", NS)
    wrapper = etree.SubElement(document.find("soap:Header", NS), "{urn:wrapper}Wrapper")
    wrapper.append(body)
    forged = etree.SubElement(document, f"{{{NS['soap']}}}Body")
    forged.append(etree.fromstring(etree.tostring(body[0])))
    forged.find(".//p:INSS", NS).text = "05010104566"
    refused(sqlite_gateway, document, "The signed soap:Body is not the message's Body")


def test_a_second_element_with_the_signed_bodys_id_is_refused(sqlite_gateway, made):
    document = signed(made)
    body = document.find("soap:Body", NS)
    twin = etree.SubElement(document.find("soap:Header", NS), "{urn:wrapper}Wrapper")
    twin.attrib.update(body.attrib)
    refused(sqlite_gateway, document, "names 2 elements of the message")


def test_a_signed_message_of_a_disabled_account_is_refused_like_a_password(sqlite_gateway, made):
    sqlite_gateway.disable("badge-system")
    reply = send(sqlite_gateway, signed(made))
    assert reply.error_code == "Client.Authentication"
    assert sqlite_gateway.count() == 0


def test_a_made_certificate_registered_on_the_command_line_signs_ciao_client_batches(
    sqlite_gateway, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("CIAO_OUTBOX", str(tmp_path / "outbox.sqlite"))
    database = sqlite_gateway.settings.database_url
    certificate, key = str(tmp_path / "me.pem"), str(tmp_path / "me-key.pem")
    assert (
        gateway_cli(
            [
                "make-certificate",
                "--common-name",
                "badge-system",
                "--certificate",
                certificate,
                "--key",
                key,
            ]
        )
        == 0
    )
    assert (tmp_path / "me-key.pem").stat().st_mode & 0o777 == 0o600
    assert (
        gateway_cli(
            [
                "users",
                "add-certificate",
                "--database",
                database,
                "--username",
                "badge-system",
                "--certificate",
                certificate,
            ]
        )
        == 0
    )
    assert gateway_cli(["users", "certificates", "--database", database]) == 0
    assert "badge-system\tCN=badge-system" in capsys.readouterr().out
    arguments = ["--url", sqlite_gateway.url, "--certificate", certificate, "--key", key]
    assert client_cli([*arguments, "submit", str(DATA / "registrations.csv")]) == 0
    assert "5 registrations: 5 registered" in capsys.readouterr().out
    assert sqlite_gateway.count() == 5


def test_a_file_that_is_no_certificate_gets_one_clear_line(sqlite_gateway, tmp_path, capsys):
    key = str(tmp_path / "key.pem")
    (tmp_path / "key.pem").write_bytes(pair().key)
    database = sqlite_gateway.settings.database_url
    register_key = ["users", "add-certificate", "--database", database, "--username", "badge"]
    assert gateway_cli([*register_key, "--certificate", key]) == 2
    assert "key.pem: The file holds no X.509 certificate" in capsys.readouterr().err
    arguments = ["--url", sqlite_gateway.url, "--certificate", key, "--key", key]
    assert client_cli([*arguments, "status", "1"]) == 2
    assert "key.pem: not a PEM X.509 certificate" in capsys.readouterr().err


WSS4J = DATA / "wss4j"


class _FixtureTime(datetime):
    """The gateway's clock at the WSS4J fixture's Timestamp, ten seconds after it was made."""

    @classmethod
    def now(cls, tz=None):  # type: ignore[no-untyped-def]
        return datetime(2026, 12, 4, 10, 0, 10, tzinfo=UTC)


@pytest.mark.parametrize("ingest_path", [True, False])
def test_a_request_signed_as_wss4j_lays_it_out_is_accepted(
    sqlite_gateway, monkeypatch, ingest_path
):
    """A CXF/WSS4J stub's request (tests/data/wss4j/request.xml): Timestamp, token and Body
    signed with InclusiveNamespaces, sent at its time, by the ingest path and by Spyne."""
    monkeypatch.setattr("gateway.soap.ingest.datetime", _FixtureTime)
    monkeypatch.setattr("gateway.soap.application.datetime", _FixtureTime)
    if not ingest_path:
        monkeypatch.setattr("gateway.soap.ingest.IngestPath._register", lambda *args: None)
    register(sqlite_gateway, Pair((WSS4J / "test-certificate.pem").read_bytes(), b""))
    reply = post(sqlite_gateway.url, (WSS4J / "request.xml").read_bytes())
    assert reply.status == 200, reply.body
    assert reply.xml.findtext(".//p:INSS", namespaces=NS) == "85073003328"
    assert sqlite_gateway.count() == 1


@pytest.mark.parametrize("version", ["2.0", "1.1"])
def test_a_holder_of_key_assertion_signed_by_a_registered_token_service_is_accepted(
    gateway, version
):
    holder, service = pair(), pair("token-service")
    register(gateway, holder)
    register(gateway, service, username=None)
    document = signed(holder, assertion=assertion(service, holder, version=version))
    reply = send(gateway, document)
    assert reply.status == 200, reply.body
    assert gateway.count() == 1


def test_a_saml_assertion_of_an_unregistered_token_service_is_refused(sqlite_gateway):
    holder = pair()
    register(sqlite_gateway, holder)
    document = signed(holder, assertion=assertion(pair("token-service"), holder))
    refused(sqlite_gateway, document, "is not registered to a token service")


def test_a_saml_assertion_changed_after_the_token_service_signed_it_is_refused(sqlite_gateway):
    holder, service = pair(), pair("token-service")
    register(sqlite_gateway, holder)
    register(sqlite_gateway, service, username=None)
    issued = assertion(service, holder).replace(
        b"badge-system</saml2:NameID>", b"admin</saml2:NameID>"
    )
    refused(sqlite_gateway, signed(holder, assertion=issued), "token service's signature")


def test_an_expired_saml_assertion_is_refused(sqlite_gateway):
    holder, service = pair(), pair("token-service")
    register(sqlite_gateway, holder)
    register(sqlite_gateway, service, username=None)
    issued = assertion(service, holder, not_on_or_after=timedelta(minutes=-1))
    refused(sqlite_gateway, signed(holder, assertion=issued), "The SAML assertion is not valid now")


def test_a_client_of_the_rsz_wsdl_signing_its_calls_registers_a_checkinatwork_presence(gateway):
    """The RSZ's own WSDL, with its security policy, pointed at the gateway: signed as the
    RSZ asks, it registers a presence on the Checkin@Work service."""
    made = pair()
    register(gateway, made)
    client = zeep.Client(str(rsz_wsdl()), settings=zeep.Settings(strict=True), wsse=made.signer())
    service = client.create_service(BINDING, url(gateway))
    today = datetime.now(BELGIUM).date()
    [answer] = service.registerPresences(
        PresenceRegistrationRequest=[
            {
                "RegistrationDate": today,
                "INSS": "85073003328",
                "CompanyID": 403170701,
                "WorkPlaceId": "DW2026000001",
            }
        ]
    )
    assert answer.PresenceRegistration.Sender.SenderId == "badge-system"
    assert gateway.count() == 1


def test_a_rejected_signature_on_checkinatwork_is_the_platforms_not_authenticated_fault(
    sqlite_gateway,
):
    client = zeep.Client(
        str(rsz_wsdl()), settings=zeep.Settings(strict=True), wsse=pair("unknown").signer()
    )
    service = client.create_service(BINDING, url(sqlite_gateway))
    with pytest.raises(zeep.exceptions.Fault) as raised:
        service.registerPresences(
            PresenceRegistrationRequest=[
                {"INSS": "85073003328", "CompanyID": 403170701, "WorkPlaceId": "DW2026000001"}
            ]
        )
    detail = raised.value.detail[0]
    assert detail.findtext(f"{{{NS_ERR}}}Code") == "SOA-01001"
    assert "is not registered to an account" in etree.tostring(detail).decode()
    assert sqlite_gateway.count() == 0


def test_an_expired_certificate_is_named_only_to_its_keys_holder(sqlite_gateway):
    """Naming a registered certificate by issuer and serial proves nothing: whoever signs
    with another key learns that the signature does not hold, not the certificate's dates."""
    expired = pair("expired", days=10, start_days=-20)
    register(sqlite_gateway, expired)
    document = signed(pair("someone-else"), key_reference="issuer-serial")
    certificate = load_pem_x509_certificate(expired.certificate)
    document.find(".//ds:X509IssuerName", {"ds": NS_DS}).text = "CN=expired"
    document.find(".//ds:X509SerialNumber", {"ds": NS_DS}).text = str(certificate.serial_number)
    reply = send(sqlite_gateway, document)
    assert reply.error_code == "Client.SignatureRejected"
    assert "The signature does not hold" in reply.messages[0]
    assert "expired" not in reply.messages[0].replace("CN=expired", "")


def test_a_usernametoken_request_never_reads_a_signature(sqlite_gateway, monkeypatch):
    """The signed path is off the way of password requests: they are answered with the
    signature reader and verifier out of reach."""

    def unreachable(*arguments: object) -> None:
        raise AssertionError("a UsernameToken request read a signature")

    monkeypatch.setattr("gateway.soap.security.read_signature_token", unreachable)
    monkeypatch.setattr(
        "gateway.services.authentication.Authenticator._check_signature", unreachable
    )
    answers = sqlite_gateway.client().service.registerPresences(
        PresenceRegistrationRequest=[REGISTRATION]
    )
    assert answers[0].PresenceRegistration.PresenceRegistrationId
    assert sqlite_gateway.count() == 1
