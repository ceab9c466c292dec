"""The ingest path answers registerPresences exactly as the Spyne path does.

The same corpus of requests (batches of every shape, repeats, refusals, and requests that must
end in a fault) goes over HTTP to a gateway with the ingest path and to one without it, each on
a fresh database; status, headers and bodies must be equal byte for byte, apart from what is
new on every request (creation time, fault ticket, request id). The batches must really have
been answered by the ingest path: Spyne's call wrapper may not have run for them.
"""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import Engine, text

from gateway.bootstrap import create_app
from gateway.services.passwords import password_digest
from gateway.soap.application import GatewayApplication
from storage.database import transaction
from storage.tables import metadata
from tests.conftest import PASSWORD, RunningGateway, empty_postgres, serve_in_thread
from tests.soap import NS, WSSE, envelope, post

DATA = Path(__file__).parent / "data"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"


def _file_body(name: str) -> str:
    root = etree.parse(str(DATA / name)).getroot()
    return etree.tostring(root, encoding="unicode")


def _registration(moment: str, **fields: str) -> str:
    values = {
        "INSS": "85073003328",
        "CompanyID": "0403170701",
        "WorkPlaceId": "DW2026000001",
        "RegistrationType": "CHECK_IN",
        "RegistrationDateTime": moment,
        "RegistrationMeans": "BADGE",
        **fields,
    }
    if "LimosaId" in fields:
        del values["INSS"], values["CompanyID"]
    order = [
        *("INSS", "CompanyID", "LimosaId", "WorkPlaceId", "RegistrationType"),
        *("RegistrationDateTime", "Location", "RegistrationMeans", "DeviceId"),
        *("EmergencyProcedure", "ClientPresenceRegistrationReference"),
    ]
    inner = "".join(
        values[name] if name == "Location" else f"<{name}>{values[name]}</{name}>"
        for name in order
        if name in values
    )
    return f"<PresenceRegistrationRequest>{inner}</PresenceRegistrationRequest>"


def _batch(*registrations: str) -> str:
    items = "".join(registrations)
    return f'<RegisterPresencesRequest xmlns="{NS["p"]}">{items}</RegisterPresencesRequest>'


def _digest_envelope(body: str, nonce: bytes) -> bytes:
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = password_digest(nonce, created, PASSWORD)
    return (
        f'<soap:Envelope xmlns:soap="{NS["soap"]}"><soap:Header><wsse:Security '
        f'xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}"><wsse:UsernameToken>'
        "<wsse:Username>badge-system</wsse:Username><wsse:Password Type="
        '"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0'
        f'#PasswordDigest">{digest}</wsse:Password><wsse:Nonce>'
        f"{base64.b64encode(nonce).decode()}</wsse:Nonce><wsu:Created>{created}</wsu:Created>"
        f"</wsse:UsernameToken></wsse:Security></soap:Header><soap:Body>{body}</soap:Body>"
        "</soap:Envelope>"
    ).encode()


COORDINATES = (
    "<Location><Coordinates><Latitude>50.846600</Latitude><Longitude>4.35280</Longitude>"
    "<AccuracyMeters>8.0</AccuracyMeters></Coordinates></Location>"
)
ADDRESS = (
    "<Location><Address><Street>Rue &amp; Place</Street><PostalCode>1000</PostalCode>"
    "<Municipality>Bruxelles</Municipality></Address></Location>"
)
FUTURE = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S+01:00")
MIXED = _batch(
    _registration("2026-11-27T06:00:00+01:00", Location=COORDINATES, DeviceId="r&lt;1&gt;"),
    _registration("2026-11-27T06:00:00.5+01:00", Location=ADDRESS, EmergencyProcedure="true"),
    _registration("2026-11-27T05:00:00Z", LimosaId="L-2026-77", EmergencyProcedure="1"),
    _registration("2026-11-27T05:00:00-00:00", ClientPresenceRegistrationReference="same"),
    _registration(FUTURE, ClientPresenceRegistrationReference="ahead"),
    _registration("2026-11-28T23:30:00+01:00", ClientPresenceRegistrationReference="same"),
    _registration("2026-03-29T02:30:00+02:00", RegistrationType="BREAK_START"),
    _registration(" 2026-11-27T05:00:00+00:00\n", RegistrationType="CHECK_OUT"),
    _registration("2026-11-27T01:30:00-05:30", RegistrationType="BREAK_END"),
)
LARGE = _batch(
    *(
        _registration(
            f"2026-11-27T{6 + i % 4:02d}:{i % 60:02d}:00+01:00",
            INSS=["85073003328", "05010104566", "97440936363"][i % 3],
            ClientPresenceRegistrationReference=f"big-{i}",
        )
        for i in range(200)
    )
)

Corpus = list[tuple[str, bytes, str]]


def answered_by_ingest() -> Corpus:
    """(what, body, content type) of batches the ingest path answers."""
    return [
        ("the sample file", envelope(_file_body("registrations.xml")), "text/xml"),
        ("the sample file again", envelope(_file_body("registrations.xml")), "text/xml"),
        ("every shape and a refusal", envelope(MIXED), "text/xml; charset=utf-8"),
        ("200 registrations", envelope(LARGE), "text/xml"),
        ("200 registrations again", envelope(LARGE), "text/xml"),
        ("a digest token", _digest_envelope(MIXED, b"nonce-0001-abcdef"), "text/xml"),
    ]


def handed_over() -> Corpus:
    """Requests the ingest path hands to Spyne (once the corpus above was sent)."""
    return [
        ("a time without offset", envelope(_file_body("bad_time.xml")), "text/xml"),
        (
            "the digest token's nonce again",
            _digest_envelope(MIXED, b"nonce-0001-abcdef"),
            "text/xml",
        ),
        ("a wrong password", envelope(MIXED, password="wrong password 1"), "text/xml"),
        ("an unknown account", envelope(MIXED, username="nobody"), "text/xml"),
        (
            "a token without password",
            envelope(MIXED)
            .replace(b"<wsse:Password>", b"<wsse:P>")
            .replace(b"</wsse:Password>", b"</wsse:P>"),
            "text/xml",
        ),
        (
            "no header",
            envelope(MIXED).split(b"<soap:Header>")[0]
            + b"<soap:Body>"
            + MIXED.encode()
            + b"</soap:Body></soap:Envelope>",
            "text/xml",
        ),
        ("malformed XML", envelope(MIXED)[:-20], "text/xml"),
        (
            "a DTD",
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]>' + envelope(MIXED),
            "text/xml",
        ),
        ("SOAP 1.2", envelope(MIXED), "application/soap+xml"),
        ("another content type", envelope(MIXED), "application/json"),
        ("two body elements", envelope(MIXED + MIXED), "text/xml"),
        ("an empty batch", envelope(_batch()), "text/xml"),
        (
            "another operation",
            envelope(
                f'<GetPresenceRegistrationRequest xmlns="{NS["p"]}"><PresenceRegistrationId>999999'
                "</PresenceRegistrationId></GetPresenceRegistrationRequest>"
            ),
            "text/xml",
        ),
    ]


_VARYING = [
    (re.compile(rb"<CreationDate>[^<]*</CreationDate>"), b"<CreationDate/>"),
    (re.compile(rb' Id="[0-9a-f]{32}"'), b' Id=""'),
    (re.compile(rb"ticket [0-9a-f]{32}"), b"ticket"),
]


def _normalised(body: bytes) -> bytes:
    for pattern, replacement in _VARYING:
        body = pattern.sub(replacement, body)
    return body


def _send(url: str, body: bytes, content_type: str) -> tuple[int, list[tuple[str, str]], bytes]:
    reply = post(url, body, content_type)
    kept = sorted((k, v) for k, v in reply.headers if k not in ("X-Request-Id", "Date", "Server"))
    return reply.status, kept, _normalised(reply.body)


def _emptied(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        empty_postgres(engine)
        with transaction(engine) as connection:
            connection.execute(text("TRUNCATE correction_requests RESTART IDENTITY CASCADE"))
        return
    with transaction(engine) as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())


def _answers(
    gateway: RunningGateway, ingest_path: bool, corpus: Corpus, emptied: bool = True
) -> list[tuple[int, list[tuple[str, str]], bytes]]:
    """The answers to ``corpus``, sent in order to a gateway on a fresh database (or on the
    database as it is)."""
    if emptied:
        _emptied(gateway.engine)
        gateway.add_account("badge-system")
    settings = replace(gateway.settings, ingest_path=ingest_path)
    server, base = serve_in_thread(create_app(settings, gateway.engine))
    try:
        return [_send(base + "/PresenceRegistration/v1", body, kind) for _, body, kind in corpus]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def spyne_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The operations Spyne's call wrapper ran."""
    calls: list[str] = []
    original = GatewayApplication.call_wrapper

    def counted(self, ctx):  # type: ignore[no-untyped-def]
        calls.append(ctx.descriptor.name)
        return original(self, ctx)

    monkeypatch.setattr(GatewayApplication, "call_wrapper", counted)
    return calls


def test_the_ingest_path_answers_as_the_spyne_path_does(gateway, spyne_calls):
    reference = _answers(gateway, False, answered_by_ingest() + handed_over())
    spyne_calls.clear()
    batches = answered_by_ingest()
    ours = _answers(gateway, True, batches)
    assert spyne_calls == [], "a batch was answered by Spyne, not by the ingest path"
    ours += _answers(gateway, True, handed_over(), emptied=False)
    whats = [what for what, _, _ in batches + handed_over()]
    for what, mine, theirs in zip(whats, ours, reference, strict=True):
        assert mine == theirs, what
    statuses = [status for status, _, _ in reference]
    assert statuses == [200] * len(batches) + [500] * len(handed_over())
    assert b"<PresenceRegistrationError>" in reference[2][2]  # a refusal is in the corpus
    assert len(spyne_calls) > 0  # and the faults came from Spyne


def test_a_database_failure_on_the_ingest_path_is_answered_by_spyne_without_a_second_try(
    gateway, spyne_calls, monkeypatch
):
    from gateway.services import registrations

    attempts: list[int] = []

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        attempts.append(1)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(registrations, "register", failing)
    status, _, body = _send(gateway.url, envelope(MIXED), "text/xml")
    assert status == 500
    assert b"Server.Internal" in body and b"disk on fire" not in body
    assert attempts == [1]
    assert spyne_calls == ["registerPresences"]
    assert gateway.count() == 0


@pytest.mark.parametrize("ingest_path", [True, False], ids=["ingest path", "Spyne path"])
def test_an_answer_that_cannot_be_written_leaves_nothing_stored(gateway, monkeypatch, ingest_path):
    """The contract: a SystemError fault means that nothing of the batch was stored. So the
    answer must be whole before the transaction commits."""
    from gateway.xml import registrations as codec

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise MemoryError("no room for the answer")

    monkeypatch.setattr(codec, "write_register_response", failing)
    server, base = serve_in_thread(
        create_app(replace(gateway.settings, ingest_path=ingest_path), gateway.engine)
    )
    try:
        status, _, body = _send(base + "/PresenceRegistration/v1", envelope(LARGE), "text/xml")
    finally:
        server.shutdown()
        server.server_close()
    assert status == 500
    fault = etree.fromstring(body)
    assert fault.findtext(".//faultcode").endswith(":Server.Internal")
    assert "nothing of the request was stored" in fault.findtext(".//faultstring")
    assert gateway.count() == 0
    assert gateway.count("check_queue") == 0
    monkeypatch.undo()
    status, _, body = _send(gateway.url, envelope(LARGE), "text/xml")
    assert status == 200 and body.count(b"<PresenceRegistrationId>") == 200
    assert gateway.count() == 200
