"""Ingest ratio: the WSGI app handling one registerPresences of 200 registrations end to end
(parse, validate against schemas/, authenticate, store and commit, answer) divided by lxml
alone parsing and XSD-validating the same body. Measured in one run, so the ratio compares
across machines."""

from __future__ import annotations

from lxml import etree

from bench.common import envelope, gateway_app, median_seconds, say, scratch, wsgi_caller
from gateway.xml.contract import SCHEMA_DIR


def lxml_baseline(body: bytes, repeat: int) -> float:
    schema = etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "PresenceRegistrationProtocol_v1.xsd")))

    def parse_and_validate() -> None:
        root = etree.fromstring(body)
        if not schema.validate(root[1][0]):
            raise RuntimeError(schema.error_log)

    return median_seconds(parse_and_validate, repeat)


def measure(kind: str, repeat: int) -> dict[str, float]:
    say(f"ingest on {kind}: {repeat} requests of 200 registrations ...")
    place = scratch(kind)
    try:
        body = envelope(200)
        ours = median_seconds(wsgi_caller(gateway_app(place.settings, place.engine), body), repeat)
        base = lxml_baseline(body, repeat)
    finally:
        place.cleanup()
    return {
        "ours_ms": ours * 1000,
        "lxml_ms": base * 1000,
        "ratio": ours / base,
        "registrations_per_s": 200 / ours,
    }
