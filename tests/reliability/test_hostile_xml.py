"""Hostile or malformed requests get a clear fault, reach no file or network, store nothing."""

from __future__ import annotations

import gzip
import http.client
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.processes import Gateway
from tests.soap import envelope, post, post_chunked, register_body, registration_xml

BODY = register_body(1)


@pytest.fixture
def canary_file(tmp_path):
    path = tmp_path / "canary.txt"
    path.write_text("CANARY-SECRET-7f3a")
    return path


@pytest.fixture
def listener():
    """A loopback listener that records whether anyone connected to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    connections: list[object] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            connections.append(connection)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], connections
    stop.set()
    thread.join(timeout=2)
    server.close()


def with_doctype(doctype: str, body: str = BODY) -> bytes:
    return doctype.encode() + envelope(body)


def test_an_external_file_entity_is_refused_and_never_read(gateway, canary_file):
    data = with_doctype(
        f'<!DOCTYPE soap:Envelope [<!ENTITY x SYSTEM "file://{canary_file}">]>',
        register_body(1).replace("DW2026000001", "&x;"),
    )
    reply = post(gateway.url, data)
    assert reply.status == 500
    assert reply.error_code == "Client.ForbiddenXml"
    assert b"CANARY" not in reply.body
    assert gateway.count() == 0


def test_an_external_network_entity_is_refused_and_never_fetched(gateway, listener):
    port, connections = listener
    data = with_doctype(
        f'<!DOCTYPE soap:Envelope [<!ENTITY x SYSTEM "http://127.0.0.1:{port}/x">]>',
        register_body(1).replace("DW2026000001", "&x;"),
    )
    reply = post(gateway.url, data)
    assert reply.error_code == "Client.ForbiddenXml"
    dtd = with_doctype(f'<!DOCTYPE soap:Envelope SYSTEM "http://127.0.0.1:{port}/evil.dtd">')
    assert post(gateway.url, dtd).error_code == "Client.ForbiddenXml"
    assert connections == []
    assert gateway.count() == 0


def test_billion_laughs_is_refused(gateway):
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    data = with_doctype(
        f"<!DOCTYPE soap:Envelope [{entities}]>", BODY.replace("DW2026000001", "&a9;")
    )
    reply = post(gateway.url, data)
    assert reply.error_code == "Client.ForbiddenXml"
    assert gateway.count() == 0


def test_quadratic_blowup_is_refused(gateway):
    data = with_doctype(
        f'<!DOCTYPE soap:Envelope [<!ENTITY big "{"x" * 50_000}">]>',
        BODY.replace("DW2026000001", "&big;" * 200),
    )
    assert post(gateway.url, data).error_code == "Client.ForbiddenXml"


def test_deep_nesting_is_refused(gateway):
    for depth in (40, 5000):
        deep = "<a>" * depth + "</a>" * depth
        reply = post(gateway.url, envelope(deep))
        assert reply.status == 500
        assert reply.error_code == "Client.ForbiddenXml", depth


def test_a_body_over_the_limit_is_refused(gateway):
    limit = gateway.settings.max_body_bytes
    padding = "<!--" + "x" * limit + "-->"
    reply = post(gateway.url, envelope(padding + BODY))
    assert reply.error_code == "Client.RequestTooLarge"
    assert str(limit) in reply.messages[0]
    assert gateway.count() == 0


def in_chunks(data: bytes, pause_after: int | None = None) -> Iterator[bytes]:
    """``data`` in 64 KiB chunks; with ``pause_after``, each chunk past that many bytes is sent
    a moment after the one before, as a client on a slow link sends."""
    for start in range(0, len(data), 65536):
        if pause_after is not None and start > pause_after:
            time.sleep(0.05)
        yield data[start : start + 65536]


def test_a_chunked_body_within_the_limit_is_registered(gateway):
    reply = post_chunked(gateway.url, in_chunks(envelope(register_body(3))))
    assert reply.status == 200
    assert gateway.count() == 3


def test_a_chunked_body_over_the_limit_is_refused_not_cut(gateway):
    limit = gateway.settings.max_body_bytes
    reply = post_chunked(gateway.url, in_chunks(envelope("<!--" + "x" * limit + "-->" + BODY)))
    assert reply.status == 500
    assert reply.error_code == "Client.RequestTooLarge"
    assert gateway.count() == 0


def test_a_client_still_sending_an_oversized_chunked_body_receives_the_fault(tmp_path):
    """Under gunicorn, as in production: the client is still sending a megabyte past the limit
    when the gateway has read enough to refuse the body; it receives the fault, not a broken
    pipe or a reset connection."""
    limit = 1024 * 1024
    gateway = Gateway(tmp_path, workers=1, check_workers=0)
    gateway.env["CIAO_MAX_BODY_BYTES"] = str(limit)
    gateway.start()
    try:
        data = envelope("<!--" + "x" * (limit + 1024 * 1024) + "-->" + BODY)
        reply = post_chunked(gateway.url, in_chunks(data, pause_after=limit))
    finally:
        gateway.stop()
    assert reply.status == 500
    assert reply.error_code == "Client.RequestTooLarge"
    assert str(limit) in reply.messages[0]


def test_a_huge_text_node_within_the_limit_is_refused_by_the_schema(gateway):
    body = register_body(1).replace("DW2026000001", "W" * 500_000)
    reply = post(gateway.url, envelope(body))
    assert reply.error_code == "Client.SchemaValidation"
    assert "WorkPlaceId" in reply.messages[0]


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        (envelope(BODY), "application/soap+xml; charset=utf-8", "Client.NotSoap11"),
        (envelope(BODY), "application/json", "Client.NotSoap11"),
        (b'{"registrations": []}', "text/xml", "Client.XmlSyntax"),
        (b"", "text/xml", "Client.XmlSyntax"),
        (envelope(BODY).replace(b"0403170701", b"\xff\xfe0403"), "text/xml", "Client.XmlSyntax"),
        (
            envelope(BODY).replace(
                b"http://schemas.xmlsoap.org/soap/envelope/",
                b"http://www.w3.org/2003/05/soap-envelope",
            ),
            "text/xml",
            "Client.NotSoap11",
        ),
        (b"<Envelope><Body/></Envelope>", "text/xml", "Client.NotSoap11"),
        (envelope("<Unknown xmlns='urn:x'/>"), "text/xml", "Client.UnknownOperation"),
        (envelope(BODY)[:-20], "text/xml", "Client.XmlSyntax"),
    ],
    ids=[
        "soap 1.2 content type",
        "json content type",
        "not xml",
        "empty",
        "invalid utf-8",
        "soap 1.2 envelope",
        "no soap namespace",
        "unknown operation",
        "truncated",
    ],
)
def test_bad_requests_get_a_clear_business_fault(gateway, data, content_type, expected):
    reply = post(gateway.url, data, content_type)
    assert reply.status == 500
    assert reply.content_type.startswith("text/xml")
    assert reply.error_code == expected
    assert reply.messages and all(reply.messages)
    assert gateway.count() == 0


@pytest.mark.parametrize(
    ("coding", "compress"), [("gzip", gzip.compress), ("deflate", zlib.compress)]
)
def test_a_compressed_body_is_refused_by_its_encoding(gateway, coding, compress):
    reply = post(gateway.url, compress(envelope(BODY)), headers={"Content-Encoding": coding})
    assert reply.status == 500
    assert reply.error_code == "Client.NotSoap11"
    assert reply.messages == [
        f"Content-Encoding {coding} is not supported: send the body uncompressed."
    ]
    assert gateway.count() == 0


def test_a_body_declared_as_sent_as_it_is_is_registered(gateway):
    reply = post(gateway.url, envelope(BODY), headers={"Content-Encoding": "identity"})
    assert reply.status == 200
    assert gateway.count() == 1


def test_the_service_still_works_after_hostile_requests(gateway):
    post(gateway.url, with_doctype('<!DOCTYPE x [<!ENTITY a "b">]>'))
    post(gateway.url, b"\x00\x01garbage", "text/xml")
    reply = post(gateway.url, envelope(register_body(3)))
    assert reply.status == 200
    assert gateway.count() == 3


def test_methods_other_than_get_and_post_are_refused(gateway):
    parts = urlsplit(gateway.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("PUT", parts.path, body=registration_xml())
    assert connection.getresponse().status == 405
    connection.close()
