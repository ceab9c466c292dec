"""PostgreSQL goes away and comes back: while it is away every request gets a retryable
SystemError and nothing is stored, readiness says so, and once it is back the same request is
accepted without restarting anything. The outage is real: the gateway reaches PostgreSQL
through a TCP relay on loopback that the test cuts (every open connection closed, the port
refused) and restores."""

from __future__ import annotations

import contextlib
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from gateway.bootstrap import create_app
from gateway.config import Settings
from gateway.services import accounts
from gateway.services.passwords import SecretKey
from storage.database import create_database_engine, reading, transaction
from tests.conftest import PASSWORD, empty_postgres, serve_in_thread
from tests.soap import NS, envelope, post, register_body

pytestmark = pytest.mark.postgres


class Relay:
    """Forwards loopback connections on ``port`` to PostgreSQL, until cut."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            everything = [*self._open, *([self._listener] if self._listener else [])]
            for connection in everything:  # shutdown wakes a thread blocked on it; close doesn't
                _shutdown(connection)
                connection.close()
            self._listener = None
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            server = socket.create_connection(self.target)
            with self._lock:
                self._open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _shutdown(source)
            _shutdown(sink)


def _shutdown(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the other side
        connection.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def relayed(postgres_engine: Engine, tmp_path) -> Iterator[tuple[Relay, str]]:  # type: ignore[no-untyped-def]
    empty_postgres(postgres_engine)
    direct = postgres_engine.url
    relay = Relay((direct.host or "127.0.0.1", direct.port or 5432))
    relay.start()
    url = make_url(direct.render_as_string(hide_password=False)).set(
        host="127.0.0.1", port=relay.port
    )
    engine = create_database_engine(url.render_as_string(hide_password=False))
    settings = Settings(
        database_url=url.render_as_string(hide_password=False),
        secret_key_file=tmp_path / "secret.key",
        environment="Test",
    )
    with transaction(postgres_engine) as connection:
        accounts.add(
            connection,
            SecretKey.load_or_create(settings.secret_key_file),
            "badge-system",
            PASSWORD,
            "0403170701",
            "EMPLOYER",
        )
    server, base = serve_in_thread(create_app(settings, engine))
    yield relay, base
    relay.cut()
    server.shutdown()
    server.server_close()
    engine.dispose()


def ready(base: str) -> int:
    try:
        with urllib.request.urlopen(base + "/ready", timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def stored(engine: Engine) -> int:
    from sqlalchemy import text

    with reading(engine) as connection:
        return int(connection.execute(text("SELECT count(*) FROM registrations")).scalar_one())


def test_postgres_away_gives_retryable_system_errors_and_the_service_recovers_by_itself(
    relayed, postgres_engine
):
    relay, base = relayed
    url = base + "/PresenceRegistration/v1"
    assert post(url, envelope(register_body(1))).status == 200
    assert stored(postgres_engine) == 1

    relay.cut()
    batch = envelope(register_body(3))
    for _ in range(3):  # every attempt, not only the first after the cut
        reply = post(url, batch)
        assert reply.status == 500
        assert reply.xml.find(".//e:SystemError", namespaces=NS) is not None
        assert reply.error_code == "Server.Unavailable"
        assert reply.xml.findtext(".//e:Retry", namespaces=NS) == "true"
    assert ready(base) == 503
    assert stored(postgres_engine) == 1

    relay.start()  # PostgreSQL is back on the same address
    assert ready(base) == 200
    assert post(url, batch).status == 200
    assert stored(postgres_engine) == 4
