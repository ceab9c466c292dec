"""A graceful shutdown (SIGTERM to the gunicorn master, what an orchestrator sends) finishes
the request in flight: its sender gets the acknowledgement, the registration is stored, and
the gateway exits cleanly."""

from __future__ import annotations

import http.client
import os
import time
from pathlib import Path

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


def workers_of(master: int) -> list[int]:
    return [
        int(pid)
        for task in Path(f"/proc/{master}/task").iterdir()
        for pid in (task / "children").read_text().split()
    ]


def holds_connection_from(pid: int, port: int) -> bool:
    """Whether process ``pid`` has accepted the loopback connection whose client side is on
    ``port``: the socket of its server side (remote port ``port`` in /proc/net/tcp) is one
    of the process's open files."""
    server_sides = {
        fields[9]
        for fields in (line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:])
        if int(fields[2].rsplit(":", 1)[1], 16) == port
    }
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(descriptor)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:[") and target[len("socket:[") : -1] in server_sides:
            return True
    return False


def wait_until_accepted(master: int, port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        if any(holds_connection_from(worker, port) for worker in workers_of(master)):
            return
        time.sleep(0.01)
    raise AssertionError("no worker accepted the connection")


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
    connection.endheaders(body[: len(body) // 2])
    # Only once the worker is reading this request: a SIGTERM that reaches it before it
    # accepted the connection stops it without, and the connection is reset.
    wait_until_accepted(
        gateway.process.pid, connection.sock.getsockname()[1], time.monotonic() + 10
    )
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
