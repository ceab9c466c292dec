"""Ingest ratio: the WSGI app handling one registerPresences of 200 registrations end to end
(parse, validate against schemas/, authenticate, store and commit, answer) divided by lxml
alone parsing and XSD-validating the same body. Measured in one run, so the ratio compares
across machines."""

from __future__ import annotations

import time
from collections.abc import Callable

from lxml import etree

from bench.common import envelope, gateway_app, median_seconds, say, scratch, wsgi_caller
from gateway.xml.contract import SCHEMA_DIR
from storage.staging import MERGE_AT


def lxml_baseline(body: bytes) -> Callable[[], None]:
    schema = etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "PresenceRegistrationProtocol_v1.xsd")))

    def parse_and_validate() -> None:
        root = etree.fromstring(body)
        if not schema.validate(root[1][0]):
            raise RuntimeError(schema.error_log)

    return parse_and_validate


def mean_seconds(call: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        call()
    return (time.perf_counter() - start) / count


def measure(kind: str, repeat: int) -> dict[str, float]:
    say(f"ingest on {kind}: {repeat} requests of 200 registrations, in turns with lxml ...")
    place = scratch(kind)
    try:
        body = envelope(200)
        ours = wsgi_caller(gateway_app(place.settings, place.engine), body)
        medians = median_seconds({"ours": ours, "lxml": lxml_baseline(body)}, repeat)
        # On SQLite one request in MERGE_AT / 200 also merges the staged registrations
        # (storage.staging), which a median leaves out: the mean of a run of two merges' worth
        # of requests in a row counts it.
        mean = mean_seconds(ours, 2 * MERGE_AT // 200)
    finally:
        place.cleanup()
    return {
        "ours_ms": medians["ours"] * 1000,
        "lxml_ms": medians["lxml"] * 1000,
        "ratio": medians["ours"] / medians["lxml"],
        "registrations_per_s": 200 / medians["ours"],
        "mean_with_merges_ms": mean * 1000,
    }
