"""Connections under ``serve`` (gunicorn, as in production): a client's connection is kept
alive from one request to the next, a new connection goes to a worker that is not busy, and
a client slow to send holds up neither the connections kept alive nor new ones."""

from __future__ import annotations

import http.client
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from tests.processes import Gateway, wait_until
from tests.soap import NS, envelope

PATH = "/PresenceRegistration/v1"


def body(reference: str, count: int = 1) -> bytes:
    registrations = "".join(
        "<PresenceRegistrationRequest><INSS>85073003328</INSS><CompanyID>0403170701</CompanyID>"
        "<WorkPlaceId>DW2026000001</WorkPlaceId><RegistrationType>CHECK_IN</RegistrationType>"
        f"<RegistrationDateTime>2026-11-26T07:{k % 60:02d}:00+01:00</RegistrationDateTime>"
        "<RegistrationMeans>BADGE</RegistrationMeans><ClientPresenceRegistrationReference>"
        f"{reference}-{k}</ClientPresenceRegistrationReference></PresenceRegistrationRequest>"
        for k in range(count)
    )
    return envelope(
        f'<RegisterPresencesRequest xmlns="{NS["p"]}">{registrations}</RegisterPresencesRequest>',
        "demo",
        "demo-password",
    )


def register(connection: http.client.HTTPConnection, reference: str, count: int = 1) -> int:
    """How many registrations the answer acknowledges as registered."""
    connection.request(
        "POST",
        PATH,
        body=body(reference, count),
        headers={"Content-Type": "text/xml; charset=utf-8"},
    )
    response = connection.getresponse()
    answer = response.read()
    assert response.status == 200, answer[:500]
    return len(etree.fromstring(answer).findall(".//p:PresenceRegistrationId", namespaces=NS))


@pytest.fixture
def gateway(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Gateway]:
    server = Gateway(tmp_path, workers=getattr(request, "param", 1), check_workers=0)
    server.start()
    database = str(tmp_path / "ciao.db")
    # Every worker has built its application (and opened the database) before the test.
    wait_until(
        lambda: all(_opened(pid, database) for pid in server.gunicorn_worker_pids()),
        30,
        "every worker opening the database",
    )
    yield server
    server.stop()


def _opened(pid: int, path: str) -> bool:
    folder = Path(f"/proc/{pid}/fd")
    return any(os.path.realpath(fd) == path for fd in folder.iterdir())


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _server_side(client_ports: set[int]) -> dict[int, str]:
    """The inode of the server's end of each loopback connection, by the client's port."""
    found = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        remote_port = int(fields[2].split(":")[1], 16)
        if remote_port in client_ports and fields[3] == "01":  # ESTABLISHED
            found[remote_port] = fields[9]
    return found


def test_a_connection_is_kept_alive_from_one_registration_to_the_next(gateway):
    connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=10)
    assert register(connection, "keep-1") == 1
    first = connection.sock
    assert first is not None
    assert register(connection, "keep-2") == 1
    assert register(connection, "keep-3", count=3) == 3
    assert connection.sock is first  # the same TCP connection all along
    connection.close()


def _holder(gateway: Gateway, client: socket.socket) -> int | None:
    """The worker holding the server's end of ``client``'s connection, once it accepted it."""
    inode = _server_side({client.getsockname()[1]}).get(client.getsockname()[1])
    for pid in gateway.gunicorn_worker_pids():
        if inode is not None and inode in _socket_inodes(pid):
            return pid
    return None


@pytest.mark.parametrize("gateway", [2], indirect=True)
def test_a_new_connection_goes_to_the_worker_that_is_not_busy(gateway):
    busy = socket.create_connection(("127.0.0.1", gateway.port))
    busy.sendall(b"POST /PresenceRegistration/v1 HTTP/1.1\r\nHost: x\r\nContent-")
    try:
        wait_until(lambda: _holder(gateway, busy) is not None, 10, "a worker accepting")
        fresh = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=10)
        assert register(fresh, "fresh") == 1
        assert fresh.sock is not None
        assert _holder(gateway, fresh.sock) not in (None, _holder(gateway, busy))
        fresh.close()
    finally:
        busy.close()


def test_clients_slow_to_send_hold_up_no_other_client(gateway):
    kept = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=10)
    assert register(kept, "before") == 1
    silent = socket.create_connection(("127.0.0.1", gateway.port))
    halfway = socket.create_connection(("127.0.0.1", gateway.port))
    halfway.sendall(b"POST /PresenceRegistration/v1 HTTP/1.1\r\nHost: x\r\nContent-")
    try:
        started = time.monotonic()
        assert register(kept, "kept") == 1
        assert time.monotonic() - started < 3
        fresh = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=30)
        assert register(fresh, "fresh") == 1
        # A sync worker would have waited for the silent client until gunicorn's 60 s timeout.
        assert time.monotonic() - started < 10
        fresh.close()
    finally:
        silent.close()
        halfway.close()
        kept.close()
