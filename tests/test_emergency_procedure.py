"""The emergency procedure end to end: a real gateway (gunicorn on a free loopback port) and
the ciao-client command as a user runs it. The gateway goes down, a batch waits in the
outbox, the gateway comes back, the outbox is flushed: every registration is there exactly
once, with its original time, marked EmergencyProcedure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from clients.client import GatewayClient
from clients.files import read_batch
from clients.outbox import Outbox
from tests.conftest import DATA
from tests.processes import Gateway

BATCH = (
    "INSS,CompanyID,WorkPlaceId,RegistrationType,RegistrationDateTime,RegistrationMeans\n"
    "85073003328,0403170701,DW2026000001,CHECK_IN,2026-11-26T07:01:00+01:00,BADGE\n"
    "85073003328,0403170701,DW2026000001,BREAK_START,2026-11-26T11:02:00+01:00,BADGE\n"
    "85073003328,0403170701,DW2026000001,CHECK_OUT,2026-11-26T15:03:00+01:00,BADGE\n"
)


@pytest.fixture
def gateway_process(tmp_path):  # type: ignore[no-untyped-def]
    gateway = Gateway(tmp_path)
    gateway.start()
    yield gateway
    if gateway.process is not None and gateway.process.poll() is None:
        gateway.stop()


def client(gateway: Gateway, outbox: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "clients.cli",
            "--url",
            gateway.url,
            "--username",
            "demo",
            "--password",
            "demo-password",
            "--outbox",
            str(outbox),
            "--attempts",
            "2",
            "--backoff",
            "0.05",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_outage_is_bridged_by_the_outbox(gateway_process, tmp_path):
    outbox = tmp_path / "outbox.sqlite"
    sent = client(gateway_process, outbox, "submit", str(DATA / "registrations.csv"))
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.count("SUCCESSFULLY REGISTERED") == 5
    first_id = sent.stdout.split("\tid ")[1].split("\t")[0]
    status = client(gateway_process, outbox, "status", first_id)
    assert status.stdout.startswith(f"id {first_id}\t"), status.stderr

    gateway_process.stop()
    batch = tmp_path / "during-outage.csv"
    batch.write_text(BATCH)
    kept = client(gateway_process, outbox, "submit", str(batch))
    assert kept.returncode == 4, kept.stderr
    assert "3 registrations kept" in kept.stderr
    assert Outbox(outbox).count() == 3

    gateway_process.start()
    flushed = client(gateway_process, outbox, "flush")
    assert flushed.returncode == 0, flushed.stderr
    assert flushed.stdout.count("SUCCESSFULLY REGISTERED") == 3
    sent_lines = flushed.stdout.splitlines()[:3]
    assert all(line.count("h-") == 1 for line in sent_lines), sent_lines  # the reference once
    assert Outbox(outbox).count() == 0
    assert client(gateway_process, outbox, "flush").stdout.strip() == "the outbox is empty"

    stored = gateway_process.rows("client_reference LIKE 'h-%'")
    assert len(stored) == 3
    assert [str(r[1])[11:16] for r in stored] == ["06:01", "10:02", "14:03"]  # UTC of +01:00
    assert all(r[2] == 60 and r[3] for r in stored)

    again = client(gateway_process, outbox, "submit", str(batch))  # the same file once more
    assert again.returncode == 0
    assert len(gateway_process.rows("client_reference LIKE 'h-%'")) == 3


def test_a_client_killed_between_the_answer_and_the_outbox_sends_nothing_twice(
    gateway_process, tmp_path
):
    outbox_path = tmp_path / "outbox.sqlite"
    batch = tmp_path / "batch.csv"
    batch.write_text(BATCH)
    outbox = Outbox(outbox_path)
    outbox.keep([r.values for r in read_batch(batch)])
    # The gateway stores them, but the client dies before it empties its outbox.
    waiting = [values for _, values in outbox.waiting()]
    GatewayClient(gateway_process.url + "?wsdl", "demo", "demo-password").register(waiting)
    flushed = client(gateway_process, outbox_path, "flush")
    assert flushed.returncode == 0, flushed.stderr
    assert len(gateway_process.rows("client_reference LIKE 'h-%'")) == 3
    assert json.loads(json.dumps(waiting))[0]["EmergencyProcedure"] is True
