"""What the benchmarks share: request bodies, a gateway in a scratch folder, timing."""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from gateway.bootstrap import create_app
from gateway.config import Settings
from gateway.demo import national_number
from gateway.services import accounts
from gateway.services.passwords import SecretKey
from storage import migrate
from storage.database import create_database_engine, normalise_url, transaction

USERNAME = "bench-system"
PASSWORD = "bench-password-1"
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
NS_TYPES = "urn:ciao:presenceregistration:schemas:v1"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
DAY = date(2026, 11, 27)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def registration_xml(index: int, reference: str | None = None, day: date = DAY) -> str:
    """One registration on ``day``; 200 of them cover 50 workers (check-in, break, break end,
    check-out)."""
    worker = index // 4
    kind = ("CHECK_IN", "BREAK_START", "BREAK_END", "CHECK_OUT")[index % 4]
    inss = national_number(date(1970, 1, 1 + worker % 28), 1 + worker)
    location = (
        "<Location><Coordinates><Latitude>50.8466</Latitude><Longitude>4.3528</Longitude>"
        "<AccuracyMeters>8</AccuracyMeters></Coordinates></Location>"
        if index % 2
        else ""
    )
    ref = f"<ClientPresenceRegistrationReference>{reference}</ClientPresenceRegistrationReference>"
    return (
        f"<PresenceRegistrationRequest><INSS>{inss}</INSS><CompanyID>0403170701</CompanyID>"
        f"<WorkPlaceId>DW2026{worker % 97:06d}</WorkPlaceId><RegistrationType>{kind}"
        f"</RegistrationType><RegistrationDateTime>{day}T{6 + index % 4:02d}:{index % 60:02d}"
        f":00+01:00</RegistrationDateTime>{location}<RegistrationMeans>BADGE</RegistrationMeans>"
        f"<DeviceId>reader-{worker % 7}</DeviceId>{ref if reference else ''}"
        "</PresenceRegistrationRequest>"
    )


def envelope(count: int, unique: bool = False, day: date = DAY) -> bytes:
    """A registerPresences request of ``count`` registrations on ``day`` with a PasswordText
    token. ``unique`` gives every registration a fresh client reference."""
    prefix = uuid.uuid4().hex[:12] if unique else ""
    items = "".join(
        registration_xml(i, f"{prefix}-{i}" if unique else None, day) for i in range(count)
    )
    return soap_request(items)


def soap_request(registrations: str) -> bytes:
    """``registrations`` (PresenceRegistrationRequest elements) as a registerPresences of the
    bench account, with a PasswordText token."""
    return soap_envelope(
        f'<RegisterPresencesRequest xmlns="{NS_TYPES}">{registrations}</RegisterPresencesRequest>'
    )


def soap_envelope(body: str) -> bytes:
    """``body`` (a request element) in a SOAP envelope of the bench account, with a
    PasswordText token."""
    return (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header>'
        f'<wsse:Security xmlns:wsse="{WSSE}"><wsse:UsernameToken><wsse:Username>{USERNAME}'
        f"</wsse:Username><wsse:Password>{PASSWORD}</wsse:Password></wsse:UsernameToken>"
        f"</wsse:Security></soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>"
    ).encode()


@dataclass
class Scratch:
    """A migrated database with the bench account, and its settings."""

    settings: Settings
    engine: Engine
    cleanup: Callable[[], None]


def scratch(kind: str) -> Scratch:
    folder = Path(tempfile.mkdtemp(prefix="ciao-bench-"))
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'ciao.db'}"
        drop: Callable[[], None] = lambda: None  # noqa: E731
    else:
        admin = create_engine(normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
        name = f"ciao_bench_{uuid.uuid4().hex[:10]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(normalise_url(POSTGRES_URL)).set(database=name).render_as_string(False)

        def drop() -> None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()

    settings = Settings(
        database_url=url,
        secret_key_file=folder / "secret.key",
        environment="Test",
        max_body_bytes=4 * 1024 * 1024,
    )
    engine = create_database_engine(url)
    migrate.upgrade(engine)
    with transaction(engine) as connection:
        accounts.add(
            connection,
            SecretKey.load_or_create(settings.secret_key_file),
            USERNAME,
            PASSWORD,
            "0403170701",
            "EMPLOYER",
        )

    def cleanup() -> None:
        engine.dispose()
        drop()

    return Scratch(settings, engine, cleanup)


def wsgi_caller(app: Any, body: bytes) -> Callable[[], bytes]:
    def call() -> bytes:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/PresenceRegistration/v1",
            "CONTENT_TYPE": "text/xml; charset=utf-8",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "SERVER_NAME": "bench",
            "SERVER_PORT": "80",
            "wsgi.url_scheme": "http",
        }
        status: list[str] = []
        answer = b"".join(app(environ, lambda s, h: status.append(s)))
        if not status[0].startswith("200"):
            raise RuntimeError(f"the gateway answered {status[0]}: {answer[:300]!r}")
        return answer

    return call


# Consecutive calls of one side per turn. One call each in turns charged a side with the
# processor caches the other had just filled: the gateway's request took 0.7 ms (15 %) more
# right after a stock Spyne one than after one of its own, as no server of either would run.
RUN = 10


def median_seconds(calls: Mapping[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """The median time of each call over ``repeat`` calls, taken in turns (``call_seconds``)."""
    return {name: statistics.median(spent) for name, spent in call_seconds(calls, repeat).items()}


def call_seconds(calls: Mapping[str, Callable[[], object]], repeat: int) -> dict[str, list[float]]:
    """The time of each of ``repeat`` calls of each call (rounded up to a multiple of ``RUN``),
    taken in turns (``RUN`` calls of one, then of the next, and round again) so that a slow
    spell of the machine weighs on all of them alike and their ratios hold, each in the steady
    state of its own calls."""
    for call in calls.values():
        call()  # warm caches (schemas, token, statements)
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(-(-repeat // RUN)):
        for name, call in calls.items():
            spent = times[name]
            for _ in range(RUN):
                start = time.perf_counter()
                call()
                spent.append(time.perf_counter() - start)
    return times


def gateway_app(settings: Settings, engine: Engine) -> Any:
    return create_app(settings, engine)
