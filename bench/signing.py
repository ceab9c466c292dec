"""What a signature adds to a single registration: the WSGI app handling one registerPresences
of one registration signed with an X.509 certificate (clients.signing, as WSS4J lays it out)
against the same request with a PasswordText UsernameToken, in turns, in one run. Each signed
request is signed beforehand (a signature is accepted once), so only the gateway's side counts.

Also what reading the credentials of a UsernameToken request costs with the look-up for a
signature against the token alone: the signed path must cost password requests next to
nothing.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from lxml import etree

from bench.common import (
    RUN,
    USERNAME,
    gateway_app,
    median_seconds,
    registration_xml,
    say,
    scratch,
    soap_request,
    wsgi_caller,
)
from clients.signing import X509Signature, sign
from gateway.services import certificates
from gateway.soap.protocol import HEADER
from gateway.soap.security import read_credentials, read_username_token
from storage.database import transaction


def _unsigned(body: bytes) -> bytes:
    """``body`` without its UsernameToken: what a signed request starts from."""
    root = etree.fromstring(body)
    header = root.find(HEADER)
    assert header is not None
    header.clear()
    return etree.tostring(root)


def reading_us(count: int = 2_000, rounds: int = 10) -> dict[str, float]:
    """Microseconds to read a UsernameToken request's credentials, and its token alone: the
    fastest of ``rounds`` rounds of ``count`` reads each, in turns, which a busy machine
    disturbs least."""
    root = etree.fromstring(soap_request(registration_xml(0)))
    reads = {
        "credentials": lambda: read_credentials(root),
        # What the gateway did before signatures: find the header, read its token.
        "token_alone": lambda: read_username_token(root.find(HEADER)),
    }
    timings = {name: float("inf") for name in reads}
    for _ in range(rounds):
        for name, read in reads.items():
            start = time.perf_counter()
            for _ in range(count):
                read()
            timings[name] = min(timings[name], (time.perf_counter() - start) / count * 1e6)
    return timings


def measure(repeat: int) -> dict[str, float]:
    say(f"signed single registrations: {repeat} requests each way, in turns ...")
    place = scratch("sqlite")
    try:
        certificate, key = certificates.make_pair(USERNAME)
        with transaction(place.engine) as connection:
            certificates.add(connection, certificate, USERNAME)
        app = gateway_app(place.settings, place.engine)
        password = soap_request(registration_xml(0))
        signer = X509Signature(certificate, key)
        calls = 1 + -(-repeat // RUN) * RUN
        signed = [
            etree.tostring(sign(etree.fromstring(_unsigned(password)), signer, datetime.now(UTC)))
            for _ in range(calls)
        ]
        bodies = iter(signed)
        medians = median_seconds(
            {
                "password": wsgi_caller(app, password),
                "signed": lambda: wsgi_caller(app, next(bodies))(),
            },
            repeat,
        )
    finally:
        place.cleanup()
    read = reading_us()
    return {
        "password_ms": medians["password"] * 1000,
        "signed_ms": medians["signed"] * 1000,
        "added_ms": (medians["signed"] - medians["password"]) * 1000,
        "signed_bytes": len(signed[0]),
        "credentials_us": read["credentials"],
        "token_alone_us": read["token_alone"],
    }
