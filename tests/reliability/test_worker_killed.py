"""A gunicorn worker killed with SIGKILL in the middle of a load run loses no acknowledged
registration and stores none twice: after the run, the requests that got no answer are sent
again with their client references, and the acknowledged ids equal the stored ones."""

from __future__ import annotations

import http.client
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import text

from storage.database import create_database_engine, reading
from tests.conftest import empty_postgres
from tests.processes import Gateway
from tests.soap import NS, envelope

PATH = "/PresenceRegistration/v1"


def body(reference: str) -> bytes:
    minute = int(reference.rsplit("-", 1)[1]) % 60
    return envelope(
        f'<RegisterPresencesRequest xmlns="{NS["p"]}"><PresenceRegistrationRequest>'
        "<INSS>85073003328</INSS><CompanyID>0403170701</CompanyID>"
        "<WorkPlaceId>DW2026000001</WorkPlaceId><RegistrationType>CHECK_IN</RegistrationType>"
        f"<RegistrationDateTime>2026-11-26T07:{minute:02d}:00+01:00</RegistrationDateTime>"
        "<RegistrationMeans>BADGE</RegistrationMeans><ClientPresenceRegistrationReference>"
        f"{reference}</ClientPresenceRegistrationReference></PresenceRegistrationRequest>"
        "</RegisterPresencesRequest>",
        "demo",
        "demo-password",
    )


def send(port: int, reference: str) -> int | None:
    """The acknowledged id, or None when no answer came."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request(
            "POST", PATH, body=body(reference), headers={"Content-Type": "text/xml; charset=utf-8"}
        )
        response = connection.getresponse()
        data = response.read()
        connection.close()
    except (OSError, http.client.HTTPException):  # refused, reset, or cut off mid-answer
        return None
    if response.status != 200:
        return None
    found = etree.fromstring(data).findtext(".//p:PresenceRegistrationId", namespaces=NS)
    return int(found) if found else None


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ciao.db'}"
    engine = request.getfixturevalue("postgres_engine")
    empty_postgres(engine)
    return str(engine.url.render_as_string(hide_password=False))


def test_a_killed_worker_loses_no_acknowledged_registration(tmp_path, database):
    gateway = Gateway(tmp_path, workers=2, database=database)
    gateway.start()
    acknowledged: dict[str, int] = {}
    unanswered: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + 8  # a killed worker's replacement takes seconds to boot

    def load(client: int) -> None:
        for number in range(600):  # bounded in count and in time
            if time.monotonic() > deadline:
                return
            reference = f"kill-{client}-{number}"
            registration_id = send(gateway.port, reference)
            with lock:
                if registration_id is None:
                    unanswered.append(reference)
                else:
                    acknowledged[reference] = registration_id

    try:
        threads = [threading.Thread(target=load, args=(c,)) for c in range(4)]
        for thread in threads:
            thread.start()
        while len(acknowledged) < 20 and time.monotonic() < deadline:
            time.sleep(0.01)  # the load is under way before the kill
        victim = gateway.gunicorn_worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        for thread in threads:
            thread.join(timeout=60)
        for reference in unanswered:  # what a sender does after a time-out: send it again
            for _ in range(50):
                registration_id = send(gateway.port, reference)
                if registration_id is not None:
                    acknowledged[reference] = registration_id
                    break
                time.sleep(0.1)
        survivors = gateway.gunicorn_worker_pids()
        replaced = victim not in survivors and len(survivors) == gateway.workers
    finally:
        gateway.stop()
    engine = create_database_engine(gateway.database)
    with reading(engine) as connection:  # staged registrations merged, as the gateway reads
        stored = dict(
            connection.execute(
                text(
                    "SELECT client_reference, id FROM registrations "
                    "WHERE client_reference LIKE 'kill-%'"
                )
            ).all()
        )
    engine.dispose()
    print(
        f"\nkill test: {len(acknowledged)} acknowledged, {len(stored)} stored, "
        f"{len(unanswered)} sent again after the kill"
    )
    assert replaced, "the killed worker was not replaced"
    assert len(acknowledged) > 50
    assert acknowledged == stored
