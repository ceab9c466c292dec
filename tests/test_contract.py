"""The served contract is the published one, resolves from the gateway alone, and is WS-I
Basic Profile clean (document/literal, one part per message, qualified elements)."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import zeep
from lxml import etree

from gateway.soap.service import PresenceRegistrationService
from gateway.xml.contract import PRESENCE_WSDL, SCHEMA_DIR, wsdl_operations

WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
XSD = "http://www.w3.org/2001/XMLSchema"
NS = {"wsdl": WSDL, "soap": SOAP, "xs": XSD}


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/xml")
        return response.read()


def normalised(document: etree._Element) -> bytes:
    """The document with the two server-specific rewrites undone, in canonical form."""
    copy = etree.fromstring(etree.tostring(document))
    for reference in copy.iterfind(".//xs:import", NS):
        location = reference.get("schemaLocation")
        if location:
            reference.set("schemaLocation", location.rsplit("=", 1)[-1].rsplit("/", 1)[-1])
    for reference in copy.iterfind(".//xs:include", NS):
        reference.set("schemaLocation", reference.get("schemaLocation").rsplit("=", 1)[-1])
    for address in copy.iterfind(".//soap:address", NS):
        address.set("location", "ADDRESS")
    return etree.tostring(copy, method="c14n")


def test_the_served_wsdl_is_the_published_file(gateway):
    served = etree.fromstring(fetch(gateway.wsdl_url))
    published = etree.parse(str(PRESENCE_WSDL)).getroot()
    assert normalised(served) == normalised(published)
    [address] = served.iterfind(".//soap:address", NS)
    assert address.get("location") == gateway.url


def test_every_schema_resolves_from_the_gateway_itself(gateway):
    seen: set[str] = set()
    pending = [gateway.wsdl_url]
    while pending:
        url = pending.pop()
        if url in seen:
            continue
        seen.add(url)
        document = etree.fromstring(fetch(url))
        for reference in document.xpath("//xs:import | //xs:include", namespaces=NS):
            location = reference.get("schemaLocation")
            assert location.startswith(gateway.url + "?xsd="), location
            pending.append(location)
    names = {url.rsplit("=", 1)[-1] for url in seen if "?xsd=" in url}
    assert names == {path.name for path in SCHEMA_DIR.glob("*.xsd")}
    for name in names:
        published = etree.parse(str(SCHEMA_DIR / name)).getroot()
        assert normalised(etree.fromstring(fetch(f"{gateway.url}?xsd={name}"))) == normalised(
            published
        )


def test_an_unknown_schema_is_not_found(gateway):
    try:
        urllib.request.urlopen(gateway.url + "?xsd=../../etc/passwd", timeout=10)
    except urllib.error.HTTPError as error:
        assert error.code == 404
    else:
        raise AssertionError("expected 404")


def test_a_strict_zeep_client_builds_from_the_served_wsdl(gateway):
    client = zeep.Client(gateway.wsdl_url, settings=zeep.Settings(strict=True))
    operations = set(client.service._binding._operations)
    assert operations == {"registerPresences", "getPresenceRegistration"}


def test_every_wsdl_operation_has_a_spyne_method_and_no_other():
    operations = set(wsdl_operations(PRESENCE_WSDL).values())
    assert operations == set(PresenceRegistrationService.public_methods)


def test_the_wsdl_is_document_literal_with_one_element_part_per_message():
    wsdl = etree.parse(str(PRESENCE_WSDL))
    for message in wsdl.iterfind("wsdl:message", NS):
        parts = message.findall("wsdl:part", NS)
        assert len(parts) == 1, message.get("name")
        assert parts[0].get("element") and not parts[0].get("type")
    [binding] = wsdl.iterfind("wsdl:binding/soap:binding", NS)
    assert binding.get("style") == "document"
    assert binding.get("transport") == "http://schemas.xmlsoap.org/soap/http"
    for body in wsdl.iterfind(".//soap:body", NS):
        assert body.get("use") == "literal"
    for fault in wsdl.iterfind(".//soap:fault", NS):
        assert fault.get("use") == "literal"
    for operation in wsdl.iterfind("wsdl:binding/wsdl:operation", NS):
        [soap_operation] = operation.iterfind("soap:operation", NS)
        expected = "urn:ciao:presenceregistration:v1/" + operation.get("name")
        assert soap_operation.get("soapAction") == expected
    assert b"encoded" not in Path(PRESENCE_WSDL).read_bytes()


def test_every_schema_qualifies_its_elements_and_compiles():
    for path in SCHEMA_DIR.glob("*.xsd"):
        root = etree.parse(str(path)).getroot()
        if root.get("targetNamespace", "").startswith("urn:ciao"):
            assert root.get("elementFormDefault") == "qualified", path.name
        etree.XMLSchema(etree.parse(str(path), etree.XMLParser(no_network=True)))
