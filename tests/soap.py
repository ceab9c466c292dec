"""Raw SOAP over HTTP, for what a zeep client will not send (it validates client-side)."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from tests.conftest import PASSWORD

NS = {
    "soap": "http://schemas.xmlsoap.org/soap/envelope/",
    "e": "urn:ciao:errors:v1",
    "p": "urn:ciao:presenceregistration:schemas:v1",
}
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"


def envelope(body: str, username: str = "badge-system", password: str = PASSWORD) -> bytes:
    return (
        f'<soap:Envelope xmlns:soap="{NS["soap"]}"><soap:Header>'
        f'<wsse:Security xmlns:wsse="{WSSE}"><wsse:UsernameToken>'
        f"<wsse:Username>{username}</wsse:Username><wsse:Password>{password}</wsse:Password>"
        f"</wsse:UsernameToken></wsse:Security></soap:Header><soap:Body>{body}</soap:Body>"
        "</soap:Envelope>"
    ).encode()


def registration_xml(index: int = 0) -> str:
    return (
        "<PresenceRegistrationRequest><INSS>85073003328</INSS><CompanyID>0403170701</CompanyID>"
        "<WorkPlaceId>DW2026000001</WorkPlaceId><RegistrationType>CHECK_IN</RegistrationType>"
        f"<RegistrationDateTime>2026-11-27T07:{index % 60:02d}:00+01:00</RegistrationDateTime>"
        "<RegistrationMeans>BADGE</RegistrationMeans></PresenceRegistrationRequest>"
    )


def register_body(count: int) -> str:
    items = "".join(registration_xml(i) for i in range(count))
    return f'<RegisterPresencesRequest xmlns="{NS["p"]}">{items}</RegisterPresencesRequest>'


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def xml(self) -> etree._Element:
        return etree.fromstring(self.body)

    @property
    def fault_code(self) -> str | None:
        return self.xml.findtext("soap:Body/soap:Fault/faultcode", namespaces=NS)

    @property
    def error_code(self) -> str | None:
        return self.xml.findtext(".//e:Code", namespaces=NS)

    @property
    def messages(self) -> list[str]:
        return [m.text or "" for m in self.xml.iterfind(".//e:Message", namespaces=NS)]


def post(
    url: str,
    data: bytes,
    content_type: str = "text/xml; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> Reply:
    request = urllib.request.Request(url, data=data, method="POST")
    request.add_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = response.read()
            return Reply(
                response.status, answer, response.headers["Content-Type"], response.getheaders()
            )
    except urllib.error.HTTPError as error:
        answer = error.read()
        return Reply(error.code, answer, error.headers["Content-Type"], list(error.headers.items()))


def post_chunked(url: str, chunks: Iterable[bytes]) -> Reply:
    """POST ``chunks`` with Transfer-Encoding: chunked (no Content-Length), as clients stream a
    body: all of it is sent before the answer is read."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(
            "POST",
            parts.path,
            body=chunks,
            headers={"Content-Type": "text/xml"},
            encode_chunked=True,
        )
        response = connection.getresponse()
        return Reply(
            response.status,
            response.read(),
            response.headers["Content-Type"],
            response.getheaders(),
        )
    finally:
        connection.close()
