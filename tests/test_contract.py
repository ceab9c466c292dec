"""The served contract is the published one, resolves from the gateway alone, and is WS-I
Basic Profile clean (document/literal, one part per message, qualified elements)."""

from __future__ import annotations

import http.client
import urllib.parse
import urllib.request

import pytest
import zeep
from lxml import etree

from gateway.soap.endpoints import ENDPOINTS, PRESENCE_REGISTRATION, Endpoint
from gateway.xml.contract import SCHEMA_DIR, wsdl_operations

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


def service_url(gateway, endpoint: Endpoint) -> str:
    return gateway.url.replace(PRESENCE_REGISTRATION.path, endpoint.path)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.path)
def test_the_served_wsdl_is_the_published_file(gateway, endpoint):
    url = service_url(gateway, endpoint)
    served = etree.fromstring(fetch(url + "?wsdl"))
    published = etree.parse(str(endpoint.wsdl)).getroot()
    assert normalised(served) == normalised(published)
    [address] = served.iterfind(".//soap:address", NS)
    assert address.get("location") == url


@pytest.mark.parametrize("query", ["WSDL", "wsdl=", "wsdl=1"])
def test_the_wsdl_is_served_however_a_tool_asks_for_it(gateway, query):
    assert fetch(f"{gateway.url}?{query}") == fetch(gateway.url + "?wsdl")


def test_head_of_the_wsdl_gives_its_headers_without_the_body(gateway):
    parts = urllib.parse.urlsplit(gateway.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("HEAD", parts.path + "?wsdl")
    response = connection.getresponse()
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    assert int(response.headers["Content-Length"]) == len(fetch(gateway.url + "?wsdl"))
    assert response.read() == b""
    connection.close()


def test_every_schema_resolves_from_the_gateway_itself(gateway):
    names: set[str] = set()
    for endpoint in ENDPOINTS:
        url = service_url(gateway, endpoint)
        seen: set[str] = set()
        pending = [url + "?wsdl"]
        while pending:
            location = pending.pop()
            if location in seen:
                continue
            seen.add(location)
            document = etree.fromstring(fetch(location))
            for reference in document.xpath("//xs:import | //xs:include", namespaces=NS):
                target = reference.get("schemaLocation")
                assert target.startswith(url + "?xsd="), target
                pending.append(target)
        served = {loc.rsplit("=", 1)[-1] for loc in seen if "?xsd=" in loc}
        for name in served:
            published = etree.parse(str(SCHEMA_DIR / name)).getroot()
            assert normalised(etree.fromstring(fetch(f"{url}?xsd={name}"))) == normalised(published)
        names |= served
    assert names == {path.name for path in SCHEMA_DIR.glob("*.xsd")}


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
    assert operations == {
        "registerPresences",
        "getPresenceRegistration",
        "searchPresences",
        "cancelPresences",
        "requestCorrection",
        "exportPresences",
    }


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.path)
def test_every_wsdl_operation_has_a_spyne_method_and_no_other(endpoint):
    operations = set(wsdl_operations(endpoint.wsdl).values())
    assert operations == set(endpoint.service.public_methods)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.path)
def test_the_wsdl_is_document_literal_with_one_element_part_per_message(endpoint):
    wsdl = etree.parse(str(endpoint.wsdl))
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
        expected = endpoint.namespace + "/" + operation.get("name")
        assert soap_operation.get("soapAction") == expected
    assert b"encoded" not in endpoint.wsdl.read_bytes()


def test_every_schema_qualifies_its_elements_and_compiles():
    for path in SCHEMA_DIR.glob("*.xsd"):
        root = etree.parse(str(path)).getroot()
        if root.get("targetNamespace", "").startswith("urn:ciao"):
            assert root.get("elementFormDefault") == "qualified", path.name
        etree.XMLSchema(etree.parse(str(path), etree.XMLParser(no_network=True)))
