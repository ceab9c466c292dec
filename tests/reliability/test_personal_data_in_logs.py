"""A day of the gateway as users run it (``ciao-gateway serve``: gunicorn with two workers and a
check worker, on PostgreSQL) leaves no national number, person's name, username, password,
nonce or token in its logs: the gateway's JSON lines and gunicorn's own, all on its standard
error. The day holds reference data, registrations through SOAP with both kinds of token,
their checks, the worker's page and the management pages, faults (a wrong password, a
replayed nonce, XML that is not well-formed or breaks the contract, impossible reference
data) and a database that goes away in the middle of a request and comes back."""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
from datetime import UTC, date, datetime

import pytest
import zeep
from sqlalchemy.engine import make_url
from zeep.plugins import HistoryPlugin
from zeep.wsse.username import UsernameToken

from gateway.services import accounts
from gateway.services.passwords import SecretKey
from storage.database import transaction
from tests.conftest import postgres_database
from tests.processes import Gateway, wait_until
from tests.reliability.test_database_outage import Relay, ready
from tests.soap import WSSE, envelope, post, register_body
from tests.web import WebClient

pytestmark = pytest.mark.postgres

CONTRACTOR, SUBCONTRACTOR = "0403170701", "0760544138"
WORKPLACE = "DW2026000700"
WORKERS = {"85073003328": "Jan Peeters", "05010104566": "Sofie Claes"}
BIS_WORKER = "97440936363"  # on the worker's page only
REFUSED_PERSON = ("85073003329", "Piet Verstraeten")  # a wrong check digit: refused
NOT_AN_INSS = "8507300332X"  # breaks the contract's pattern
EMPLOYER = ("schoonmaak-badges", "Pw-employer-" + secrets.token_hex(6))
OPERATOR = ("rsz-beheer", "Pw-operator-" + secrets.token_hex(6))
WRONG_PASSWORD = "Pw-wrong-" + secrets.token_hex(6)


class TrippingRelay(Relay):
    """A relay to PostgreSQL that, once armed, cuts every connection (and refuses new ones)
    as soon as a statement naming ``marker`` passes: the database goes away in the middle of
    a request, after its connection was checked out and found alive."""

    marker: bytes | None = None

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:  # type: ignore[override]
        try:
            while data := source.recv(65536):
                if self.marker is not None and self.marker in data:
                    self.marker = None
                    self.cut()
                    return
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for connection in (source, sink):
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)


class Day:
    """What the scenario used that must not be logged, gathered as it goes."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.secrets: set[str] = {
            *WORKERS,
            *WORKERS.values(),
            BIS_WORKER,
            *REFUSED_PERSON,
            NOT_AN_INSS,
            *EMPLOYER,
            *OPERATOR,
            WRONG_PASSWORD,
        }
        self.history = HistoryPlugin()

    def client(self, service: str, username: str, password: str, **token: object) -> zeep.Client:
        return zeep.Client(
            f"{self.gateway.base}/{service}/v1?wsdl",
            settings=zeep.Settings(strict=True),
            wsse=UsernameToken(username, password, **token),
            plugins=[self.history],
        )

    def keep_token(self) -> None:
        """The nonce and the password digest of the request just sent."""
        sent = self.history.last_sent["envelope"]
        for name in ("Nonce", "Password"):
            self.secrets.update(t for t in sent.itertext(f"{{{WSSE}}}{name}") if t)

    def keep_cookies(self, browser: WebClient, form: dict[str, str] | None = None) -> None:
        self.secrets.update(c.value for c in browser.cookies if c.value)
        if form and form.get("csrf"):
            self.secrets.add(form["csrf"])


def _registration(inss: str, kind: str, hour: int, reference: str) -> dict[str, object]:
    return {
        "INSS": inss,
        "CompanyID": CONTRACTOR,
        "WorkPlaceId": WORKPLACE,
        "RegistrationType": kind,
        "RegistrationDateTime": datetime.now(UTC).replace(hour=hour, minute=0, microsecond=0),
        "RegistrationMeans": "BADGE",
        "ClientPresenceRegistrationReference": reference,
        "EmergencyProcedure": True,
    }


def _errors(gateway: Gateway) -> str:
    return "".join(
        line for line in gateway.log.read_text().splitlines() if '"level": "ERROR"' in line
    )


def reference_data(day: Day) -> None:
    admin = day.client("Administration", *OPERATOR)
    admin.service.updateReferenceData(
        Enterprise=[
            {"CompanyID": CONTRACTOR, "Name": "Net & Proper NV", "ActiveFrom": date(2010, 1, 1)},
            {"CompanyID": SUBCONTRACTOR, "Name": "Glans BV", "ActiveFrom": date(2015, 6, 1)},
        ],
        Person=[{"INSS": inss, "Name": name} for inss, name in WORKERS.items()],
        Employment=[
            {"INSS": inss, "CompanyID": CONTRACTOR, "ValidFrom": date(2020, 1, 1)}
            for inss in WORKERS
        ],
        Declaration=[
            {
                "WorkPlaceId": WORKPLACE,
                "ContractorCompanyID": CONTRACTOR,
                "ValidFrom": date(2020, 1, 1),
                "SubjectToRegistration": True,
                "Subcontractor": [{"CompanyID": SUBCONTRACTOR, "ParentCompanyID": CONTRACTOR}],
            }
        ],
    )
    with pytest.raises(zeep.exceptions.Fault):  # impossible: refused, naming the number
        admin.service.updateReferenceData(
            Employment=[
                {
                    "INSS": REFUSED_PERSON[0],
                    "CompanyID": CONTRACTOR,
                    "ValidFrom": date(2026, 2, 1),
                    "ValidUntil": date(2026, 1, 1),
                }
            ]
        )


def registrations_and_checks(day: Day) -> None:
    nonce = "nonce-" + secrets.token_hex(8)
    badges = day.client("PresenceRegistration", *EMPLOYER, use_digest=True, nonce=nonce)
    answers = badges.service.registerPresences(
        PresenceRegistrationRequest=[
            _registration(inss, "CHECK_IN", 7, f"ref-{n}") for n, inss in enumerate(WORKERS)
        ]
    )
    day.keep_token()
    with pytest.raises(zeep.exceptions.Fault):  # the same nonce again: a replay
        badges.service.registerPresences(
            PresenceRegistrationRequest=[_registration(BIS_WORKER, "CHECK_IN", 8, "ref-x")]
        )
    plain = day.client("PresenceRegistration", *EMPLOYER)
    first = answers[0].PresenceRegistration.PresenceRegistrationId
    wait_until(
        lambda: plain.service.getPresenceRegistration(first).LastValidation is not None,
        60,
        "the first registration's check",
    )
    wrong = day.client("PresenceRegistration", EMPLOYER[0], WRONG_PASSWORD)
    with pytest.raises(zeep.exceptions.Fault):
        wrong.service.getPresenceRegistration(first)
    url = f"{day.gateway.base}/PresenceRegistration/v1"
    body = register_body(1).replace("DW2026000001", WORKPLACE)
    broken = envelope(body.replace("</RegisterPresencesRequest>", ""), *EMPLOYER)
    assert post(url, broken).status == 500  # not well-formed
    invalid = envelope(body.replace("85073003328", NOT_AN_INSS), *EMPLOYER)
    assert post(url, invalid).status == 500  # breaks the contract


def pages(day: Day) -> None:
    phone = WebClient(day.gateway.base, language="en")
    start = phone.get(f"/r/{WORKPLACE}?via=qr").fields()
    step = phone.post(f"/r/{WORKPLACE}", {**start, "identifier": BIS_WORKER})
    form = {**step.fields(), "company": SUBCONTRACTOR, "type": "CHECK_IN"}
    assert phone.post(f"/r/{WORKPLACE}/register", form).status == 200
    day.keep_cookies(phone, form)
    manager = WebClient(day.gateway.base, language="en")
    assert manager.login(EMPLOYER[0], WRONG_PASSWORD).status == 401
    assert manager.login(*EMPLOYER).status == 200
    for inss in (*WORKERS, BIS_WORKER):  # a search by national number: in the query string
        assert manager.get(f"/manage/registrations?inss={inss}").status == 200
    day.keep_cookies(manager)


def outage(day: Day, relay: TrippingRelay) -> None:
    """The database goes away while a request stores its token's nonce, stays away for a
    registration, a page and the check worker, and comes back."""
    nonce = "nonce-" + secrets.token_hex(8)
    badges = day.client("PresenceRegistration", *EMPLOYER, use_digest=True, nonce=nonce)
    relay.marker = b"used_nonces"
    with pytest.raises(zeep.exceptions.Fault) as unavailable:
        badges.service.registerPresences(
            PresenceRegistrationRequest=[_registration(BIS_WORKER, "CHECK_OUT", 16, "ref-out")]
        )
    day.keep_token()
    assert unavailable.value.code.endswith("Server.Unavailable")
    relay.cut()
    phone = WebClient(day.gateway.base)
    assert phone.get(f"/r/{WORKPLACE}").status == 503
    manager = WebClient(day.gateway.base)
    assert manager.login(*EMPLOYER).status == 503
    assert ready(day.gateway.base) == 503
    # The check worker meets the outage too, and logs its failure with a traceback (as long
    # as it polls; a worker that waits on the database's notifications may say nothing).
    with contextlib.suppress(AssertionError):
        wait_until(lambda: '"logger": "ciao.checks"' in _errors(day.gateway), 10, "its log")
    relay.start()
    wait_until(lambda: ready(day.gateway.base) == 200, 60, "/ready once back")
    again = day.client("PresenceRegistration", *EMPLOYER, use_digest=True)
    again.service.registerPresences(
        PresenceRegistrationRequest=[_registration(BIS_WORKER, "CHECK_OUT", 16, "ref-out")]
    )
    day.keep_token()


def test_a_whole_day_leaves_no_personal_data_in_the_logs(tmp_path, postgres_engine):
    with postgres_database() as direct:
        relay = TrippingRelay((direct.url.host or "127.0.0.1", direct.url.port or 5432))
        relay.start()
        url = make_url(direct.url.render_as_string(hide_password=False)).set(
            host="127.0.0.1", port=relay.port
        )
        key = SecretKey.load_or_create(tmp_path / "secret.key")
        with transaction(direct) as connection:
            accounts.add(connection, key, *EMPLOYER, CONTRACTOR, "EMPLOYER")
            accounts.add(connection, key, *OPERATOR, "0873909226", "OPERATOR")
        gateway = Gateway(tmp_path, workers=2, database=url.render_as_string(hide_password=False))
        gateway.start()
        day = Day(gateway)
        try:
            reference_data(day)
            registrations_and_checks(day)
            pages(day)
            outage(day, relay)
        finally:
            gateway.stop()
            relay.cut()
    logs = gateway.log.read_text()
    lines = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    messages = [line["message"] for line in lines]
    leaked = sorted(s for s in day.secrets if s in logs)
    assert leaked == [], "\n".join(
        line for line in logs.splitlines() if any(s in line for s in leaked)
    )
    # And what was logged is there: the faults, the outage, the pages' paths, gunicorn's own.
    assert any("Client.Authentication" in m for m in messages), messages
    assert any("database failure" in m and "INSERT INTO used_nonces" in m for m in messages)
    assert any(line.get("path") == f"/r/{WORKPLACE}/register" for line in lines)
    assert any("Booting worker" in line for line in logs.splitlines())
