"""Prometheus metrics at GET /metrics: requests, faults by code, registrations stored, the
check queue's depth and the check latency; under gunicorn, every process added up."""

from __future__ import annotations

import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from gateway.services.checking import CheckWorker
from tests.builders import batch
from tests.processes import Gateway
from tests.soap import envelope, post, register_body

PATH = "/PresenceRegistration/v1"


def scrape(base: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and sorted labels."""
    with urllib.request.urlopen(base + "/metrics", timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
        text = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_requests_faults_stored_registrations_and_the_check_queue(gateway):
    base = gateway.url.rsplit(PATH, 1)[0]
    before = scrape(base)
    registrations = batch(3)
    gateway.client().service.registerPresences(PresenceRegistrationRequest=registrations)
    gateway.client().service.registerPresences(PresenceRegistrationRequest=registrations)
    post(gateway.url, envelope(register_body(1).replace("85073003328", "123")))
    after = scrape(base)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("ciao_registrations_stored_total") == 3  # the repeat stored nothing
    assert grew("ciao_http_requests_total", path=PATH, status="200") >= 2
    assert grew("ciao_http_requests_total", path=PATH, status="500") == 1
    assert grew("ciao_soap_faults_total", code="Client.SchemaValidation") == 1
    assert value(after, "ciao_check_queue_days", state="due") == 1  # one worker, one day
    assert grew("ciao_http_request_duration_seconds_count", path=PATH) >= 3

    assert CheckWorker(gateway.engine).run_once() == 1
    checked = scrape(base)
    assert value(checked, "ciao_check_queue_days", state="due") == 0
    assert (
        value(checked, "ciao_check_latency_seconds_count")
        - value(after, "ciao_check_latency_seconds_count")
        == 1
    )


def test_a_rolled_back_batch_is_not_counted_as_stored(sqlite_gateway):
    import sqlite3

    from sqlalchemy.engine import make_url

    base = sqlite_gateway.url.rsplit(PATH, 1)[0]
    before = value(scrape(base), "ciao_registrations_stored_total")
    path = str(make_url(sqlite_gateway.settings.database_url).database)
    locker = sqlite3.connect(path, isolation_level=None, timeout=1)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        assert post(sqlite_gateway.url, envelope(register_body(2))).error_code == (
            "Server.Unavailable"
        )
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    after = scrape(base)
    assert value(after, "ciao_registrations_stored_total") == before
    assert value(after, "ciao_soap_faults_total", code="Server.Unavailable") >= 1


def test_under_gunicorn_every_worker_and_the_check_worker_are_added_up(tmp_path):
    gateway = Gateway(tmp_path, workers=2, check_workers=1)
    gateway.start()
    try:
        for number in range(12):
            reply = post(gateway.url, envelope(_one(number), "demo", "demo-password"))
            assert reply.status == 200
        # Whichever worker answers a scrape, it reports what both stored.
        stored = {value(scrape(gateway.base), "ciao_registrations_stored_total") for _ in range(6)}
        assert stored == {12.0}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            samples = scrape(gateway.base)
            if value(samples, "ciao_check_queue_days", state="due") == 0 and value(
                samples, "ciao_check_latency_seconds_count"
            ):
                break
            time.sleep(0.1)
        assert value(samples, "ciao_check_queue_days", state="due") == 0
        assert value(samples, "ciao_check_latency_seconds_count") >= 1  # the check worker's
    finally:
        gateway.stop()


def _one(number: int) -> str:
    return register_body(1).replace(
        "</RegistrationMeans>",
        "</RegistrationMeans><ClientPresenceRegistrationReference>"
        f"metrics-{number}</ClientPresenceRegistrationReference>",
    )
