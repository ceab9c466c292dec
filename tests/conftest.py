"""Fixtures: a real database (a SQLite file, and PostgreSQL when reachable), the real WSGI
app behind a real HTTP server on loopback, and zeep clients built from the served WSDL.

No test reaches beyond this machine: the autouse ``no_network`` fixture refuses every
connection that is not to a loopback address.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache, partial
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import zeep
from gunicorn.http.body import Body, ChunkedReader
from gunicorn.http.unreader import IterUnreader
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from zeep.wsse.username import UsernameToken

from gateway.bootstrap import create_app
from gateway.config import Settings
from gateway.demo import enterprise_number
from gateway.domain.identity import Account
from gateway.domain.workday import BELGIUM
from gateway.services import accounts
from gateway.services.checking import start_in_thread
from gateway.services.passwords import CHEAP_FOR_TESTS, SecretKey
from storage import migrate
from storage.database import create_database_engine, normalise_url, reading, transaction
from storage.tables import metadata
from tests.builders import BRUSSELS_WINTER, registration
from tests.zeep_clients import served_client

DATA = Path(__file__).parent / "data"
PASSWORD = "correct horse battery"
# The Node packages `make` installs into the venv the tests run in (.venv, .venv-3.12, ...).
NODE_MODULES = Path(sys.prefix) / "node" / "node_modules"
POSTGRES_URL = os.environ.get("CIAO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


# -- no network beyond loopback ------------------------------------------------------------

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and host not in ("127.0.0.1", "::1", "localhost"):
        raise OSError(f"tests may not connect to {address!r}")
    _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


# -- cheap password hashes -------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """The tests make hundreds of accounts, each hashed at production's Argon2 cost (64 MiB,
    3 passes: a tenth to a quarter of a second) and verified once at the same cost: most of
    the suite's time. Here passwords are hashed with Argon2's cheapest parameters, in this
    process and in the gateways and commands it starts. tests/unit/test_passwords.py checks
    that production keeps its own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CHEAP_FOR_TESTS, "1")
        yield


# -- databases -----------------------------------------------------------------------------


def _postgres_reachable() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    url = make_url(normalise_url(POSTGRES_URL))
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=1):
            return None
    except OSError as error:
        return f"PostgreSQL at {url.host}:{url.port} is unreachable ({error})"


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """A database of its own for this test session, migrated once, dropped at the end."""
    reason = _postgres_reachable()
    if reason is not None:
        if os.environ.get("CIAO_REQUIRE_POSTGRES"):
            pytest.fail(reason + " and CIAO_REQUIRE_POSTGRES is set")
        pytest.skip(reason)
    with postgres_database() as engine:
        yield engine


@contextmanager
def postgres_database(revision: str = "head") -> Iterator[Engine]:
    """A PostgreSQL database of its own, migrated to ``revision``, dropped afterwards."""
    admin = create_engine(normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    name = f"ciao_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalise_url(POSTGRES_URL)).set(database=name)
    engine = create_database_engine(url.render_as_string(hide_password=False))
    try:
        migrate.upgrade(engine, revision)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


# A table holding more rows than this is truncated rather than deleted from, so that no test
# plans its queries on a table full of dead rows.
_FEW_ROWS = 1000


def empty_postgres(engine: Engine) -> None:
    """Every table emptied and every id sequence started again, as in a new database.

    By DELETE, which takes a few milliseconds for the rows a test leaves, where a TRUNCATE
    of every table made new files for each table and index and took 0.1-0.3 s, at the start
    of every test on PostgreSQL; a table with many rows is truncated all the same."""
    tables = list(reversed(metadata.sorted_tables))  # those that refer to others first
    counted = " UNION ALL ".join(
        f"SELECT '{table.name}', count(*) FROM (SELECT 1 FROM {table.name} LIMIT {_FEW_ROWS + 1}) t"
        for table in tables
    )
    with engine.begin() as connection:
        rows = dict(connection.execute(text(counted)).all())
        many = [table.name for table in tables if rows[table.name] > _FEW_ROWS]
        if many:
            connection.execute(text(f"TRUNCATE {', '.join(many)} CASCADE"))
        for table in tables:
            if 0 < rows[table.name] <= _FEW_ROWS:
                connection.execute(table.delete())
        connection.execute(
            text(
                "SELECT setval(format('%I.%I', schemaname, sequencename), start_value, false) "
                "FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
            )
        )


def sqlite_database(folder: Path, revision: str = "head") -> Engine:
    """A SQLite file ``ciao.db`` in ``folder``, migrated to ``revision``; a new one at the
    newest is a copy of a file migrated once per test process."""
    path = folder / "ciao.db"
    if revision == "head" and not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_migrated_sqlite_file(), path)
    engine = create_database_engine(f"sqlite:///{path}")
    migrate.upgrade(engine, revision)  # at the newest, finds it current and leaves it
    return engine


@cache
def _migrated_sqlite_file() -> Path:
    """A SQLite file migrated to the newest revision, closed (its WAL written back), removed
    when the process ends."""
    folder = Path(tempfile.mkdtemp(prefix="ciao-migrated-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    engine = create_database_engine(f"sqlite:///{folder / 'ciao.db'}")
    migrate.upgrade(engine)
    engine.dispose()
    return folder / "ciao.db"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """Each test that uses it runs twice: on a fresh SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        sqlite = sqlite_database(tmp_path)
        yield sqlite
        sqlite.dispose()
    else:
        postgres: Engine = request.getfixturevalue("postgres_engine")
        empty_postgres(postgres)
        yield postgres


# -- the gateway behind a real HTTP server ---------------------------------------------------


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class RunningGateway:
    url: str
    engine: Engine
    settings: Settings
    key: SecretKey

    @property
    def wsdl_url(self) -> str:
        return self.url + "?wsdl"

    def add_account(
        self, username: str, company: str = "0403170701", role: str = "EMPLOYER"
    ) -> Account:
        with transaction(self.engine) as connection:
            return accounts.add(connection, self.key, username, PASSWORD, company, role)

    def disable(self, username: str) -> None:
        with transaction(self.engine) as connection:
            accounts.set_disabled(connection, username, True)

    def client(
        self, username: str = "badge-system", password: str = PASSWORD, digest: bool = False
    ) -> zeep.Client:
        """A zeep client built from the served WSDL, with strict settings (parsed once per
        test process: tests/zeep_clients.py)."""
        wsse = UsernameToken(username, password, use_digest=digest)
        return served_client(self.wsdl_url, wsse)

    def admin(self, username: str = "rsz-operator") -> zeep.Client:
        """A zeep client of /Administration/v1 for an operator account (created on first use)."""
        with transaction(self.engine) as connection:
            known = {a.username for a in accounts.listing(connection)}
        if username not in known:
            self.add_account(username, company="0873909226", role="OPERATOR")
        wsse = UsernameToken(username, PASSWORD)
        url = self.url.replace("/PresenceRegistration/v1", "/Administration/v1") + "?wsdl"
        return served_client(url, wsse)

    def count(self, table: str = "registrations") -> int:
        with reading(self.engine) as connection:  # as the gateway reads: staged ones merged
            return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


# How often a test's server loop looks whether shutdown() was called: by default every half
# second, which was half a second of every test that starts a gateway.
SHUTDOWN_POLL_SECONDS = 0.01


def _decoding_chunked_bodies(app: Callable[..., object]) -> Callable[..., object]:
    """wsgiref hands a chunked request body to the application as it came on the wire, chunk
    sizes and all, and never ends it; gunicorn, which serves the gateway in production, decodes
    it and ends it with b"". The tests' server does the same, with gunicorn's own reader (no
    request object: no test sends trailers)."""

    def decoding(environ: dict[str, Any], start_response: Callable[..., object]) -> object:
        if environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
            wire = environ["wsgi.input"]
            unreader = IterUnreader(iter(partial(wire.read1, 65536), b""))
            environ["wsgi.input"] = Body(ChunkedReader(None, unreader))
        return app(environ, start_response)

    return decoding


def serve_in_thread(app: Callable[..., object]) -> tuple[_ThreadingServer, str]:
    server = make_server(
        "127.0.0.1",
        0,
        _decoding_chunked_bodies(app),
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    loop = threading.Thread(target=server.serve_forever, args=(SHUTDOWN_POLL_SECONDS,), daemon=True)
    loop.start()
    return server, f"http://127.0.0.1:{server.server_port}"


def _running_gateway(engine: Engine, tmp_path: Path) -> Iterator[RunningGateway]:
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        secret_key_file=tmp_path / "secret.key",
        environment="Test",
        max_body_bytes=1024 * 1024,
    )
    server, base = serve_in_thread(create_app(settings, engine))
    running = RunningGateway(
        base + "/PresenceRegistration/v1",
        engine,
        settings,
        SecretKey.load_or_create(settings.secret_key_file),
    )
    running.add_account("badge-system")
    yield running
    server.shutdown()
    server.server_close()


@pytest.fixture
def gateway(engine: Engine, tmp_path: Path) -> Iterator[RunningGateway]:
    """The real WSGI app on a loopback port, with the account ``badge-system`` (an employer
    of enterprise 0403170701); on SQLite and on PostgreSQL."""
    yield from _running_gateway(engine, tmp_path)


@pytest.fixture
def sqlite_gateway(tmp_path: Path) -> Iterator[RunningGateway]:
    """The same on SQLite only, for what does not depend on the database."""
    engine = sqlite_database(tmp_path)
    yield from _running_gateway(engine, tmp_path)
    engine.dispose()


@pytest.fixture
def checking(gateway: RunningGateway) -> Iterator[RunningGateway]:
    """The gateway with an in-process check worker running."""
    thread, stop = start_in_thread(gateway.engine, batch_size=200)
    yield gateway
    stop.set()
    thread.join(timeout=10)


# -- a subcontracting chain: A declares the works, B works under A, C under B; D is outside --

A, B, C = "0403170701", "0760544138", "0873909226"
D = enterprise_number(5)
# A few days ago, so that what the chain's registrations allow (corrections within 30 days)
# does not run out as the calendar moves on.
DAY = datetime.now(BELGIUM).date() - timedelta(days=3)
WORKERS = {A: "85073003328", B: "05010104566", C: "97440936363"}


@pytest.fixture
def chain(gateway: RunningGateway) -> dict[str, list[int]]:
    """The declaration with its chain, an account per enterprise, and a check-in and
    check-out of one worker of each of A, B and C on it."""
    gateway.admin().service.updateReferenceData(
        Declaration=[
            {
                "WorkPlaceId": "DW2026000001",
                "ContractorCompanyID": A,
                "ValidFrom": date(2026, 1, 1),
                "SubjectToRegistration": True,
                "Subcontractor": [
                    {"CompanyID": B, "ParentCompanyID": A},
                    {"CompanyID": C, "ParentCompanyID": B},
                ],
            }
        ]
    )
    for company, name in ((B, "b-system"), (C, "c-system"), (D, "d-system")):
        gateway.add_account(name, company=company)
    ids = {}
    for company, name in ((A, "badge-system"), (B, "b-system"), (C, "c-system")):
        answers = gateway.client(name).service.registerPresences(
            PresenceRegistrationRequest=[
                registration(
                    INSS=WORKERS[company],
                    CompanyID=company,
                    RegistrationType=kind,
                    RegistrationDateTime=datetime.combine(DAY, time(hour), BRUSSELS_WINTER),
                    EmergencyProcedure=True,
                )
                for kind, hour in (("CHECK_IN", 7), ("CHECK_OUT", 15))
            ]
        )
        ids[company] = [a.PresenceRegistration.PresenceRegistrationId for a in answers]
    return ids
