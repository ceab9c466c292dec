"""A graceful shutdown (SIGTERM to the gunicorn master, what an orchestrator sends) finishes
the request in flight: its sender gets the acknowledgement, the registration is stored, and
the gateway exits cleanly."""

from __future__ import annotations

import http.client
import time

from lxml import etree

from tests.processes import Gateway
from tests.soap import NS, envelope, register_body

PATH = "/PresenceRegistration/v1"


def wait_for_line(log: object, text: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        if text in log.read_text():  # type: ignore[attr-defined]
            return
        time.sleep(0.01)
    raise AssertionError(f"{text!r} never appeared in the gateway's log")


def test_a_graceful_shutdown_finishes_the_request_in_flight(tmp_path):
    gateway = Gateway(tmp_path, workers=1, check_workers=0)
    gateway.start()
    assert gateway.process is not None
    body = envelope(
        register_body(1).replace(
            "</RegistrationMeans>",
            "</RegistrationMeans><ClientPresenceRegistrationReference>in-flight"
            "</ClientPresenceRegistrationReference>",
        ),
        "demo",
        "demo-password",
    )
    connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=30)
    connection.putrequest("POST", PATH)
    connection.putheader("Content-Type", "text/xml; charset=utf-8")
    connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body[: len(body) // 2])  # the worker is reading this request
    gateway.process.terminate()
    wait_for_line(gateway.log, "Handling signal: term", time.monotonic() + 10)
    connection.send(body[len(body) // 2 :])
    response = connection.getresponse()
    answer = response.read()
    connection.close()
    assert response.status == 200
    registration_id = etree.fromstring(answer).findtext(
        ".//p:PresenceRegistrationId", namespaces=NS
    )
    assert gateway.process.wait(timeout=40) == 0
    log = gateway.log.read_text()
    # Shutdown began, then the request was answered, then the worker and master exited.
    assert (
        log.index("Handling signal: term")
        < log.index("POST /PresenceRegistration/v1 200")
        < log.index("Worker exiting")
        < log.index("Shutting down: Master")
    )
    stored = gateway.rows("client_reference = 'in-flight'")
    assert len(stored) == 1
    assert registration_id is not None
