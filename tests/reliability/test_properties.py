"""Property-based tests (Hypothesis) from the rules of the XSD: every valid registration is
acknowledged and stored exactly once; every near-valid one (one field broken) is refused with
a fault that names the broken element, and nothing of its request is stored."""

from __future__ import annotations

import io
import itertools
from datetime import datetime, timedelta, timezone
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import func, select

from gateway.bootstrap import create_app
from storage.database import reading
from storage.tables import registrations
from tests.soap import NS, envelope

TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8", categories=("L", "N", "P", "S", "Zs"), exclude_characters="\x00"
    ),
    min_size=1,
)
REFERENCES = (f"prop-{n}" for n in itertools.count())


def zoned_times() -> st.SearchStrategy[datetime]:
    offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
        lambda minutes: timezone(timedelta(minutes=minutes))
    )
    # From the day after the registration of presences began (acceptance.START), whatever
    # the offset.
    moments = st.datetimes(min_value=datetime(2024, 9, 2), max_value=datetime(2026, 11, 1))
    return st.builds(lambda moment, zone: moment.replace(tzinfo=zone), moments, offsets)


@st.composite
def valid_registration(draw: st.DrawFn) -> dict[str, str]:
    fields = {
        "INSS": draw(st.from_regex(r"\A[0-9]{11}\Z")),
        "CompanyID": draw(st.from_regex(r"\A[01][0-9]{9}\Z")),
        "WorkPlaceId": draw(TEXT.filter(lambda t: t.strip() == t).map(lambda t: t[:13])),
        "RegistrationType": draw(
            st.sampled_from(["CHECK_IN", "CHECK_OUT", "BREAK_START", "BREAK_END"])
        ),
        "RegistrationDateTime": draw(zoned_times()).isoformat(),
        "RegistrationMeans": draw(
            st.sampled_from(["BADGE", "TRACK_AND_TRACE", "APPLICATION", "QR_CODE", "URL", "OTHER"])
        ),
    }
    if draw(st.booleans()):
        fields["DeviceId"] = draw(TEXT.filter(lambda t: t.strip() == t).map(lambda t: t[:64]))
    if draw(st.booleans()):
        fields["EmergencyProcedure"] = draw(st.sampled_from(["true", "false", "1", "0"]))
    return fields


BREAKERS: dict[str, st.SearchStrategy[str]] = {
    "INSS": st.from_regex(r"\A[0-9]{1,10}\Z") | st.from_regex(r"\A[0-9]{12,14}\Z"),
    "CompanyID": st.from_regex(r"\A[2-9][0-9]{9}\Z"),
    "WorkPlaceId": TEXT.filter(lambda t: 14 <= len(t) <= 40 and t.strip() == t),
    "RegistrationType": st.sampled_from(["check_in", "CHECKIN", "PAUSE", ""]),
    "RegistrationDateTime": st.datetimes(min_value=datetime(2000, 1, 1)).map(
        lambda d: d.replace(microsecond=0).isoformat()
    ),  # no time-zone offset
    "RegistrationMeans": st.sampled_from(["badge", "SMS", "PHONE"]),
}


def request_body(fields: dict[str, str], reference: str) -> bytes:
    order = [
        "INSS",
        "CompanyID",
        "WorkPlaceId",
        "RegistrationType",
        "RegistrationDateTime",
        "RegistrationMeans",
        "DeviceId",
        "EmergencyProcedure",
    ]
    items = "".join(f"<{n}>{escape(fields[n])}</{n}>" for n in order if n in fields)
    return envelope(
        f'<RegisterPresencesRequest xmlns="{NS["p"]}"><PresenceRegistrationRequest>{items}'
        f"<ClientPresenceRegistrationReference>{reference}</ClientPresenceRegistrationReference>"
        "</PresenceRegistrationRequest></RegisterPresencesRequest>"
    )


@pytest.fixture
def app(gateway) -> Any:  # type: ignore[no-untyped-def]
    """The WSGI app called directly (many examples, no HTTP), on SQLite and PostgreSQL."""
    wsgi = create_app(gateway.settings, gateway.engine)

    def call(data: bytes) -> tuple[str, etree._Element]:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/PresenceRegistration/v1",
            "CONTENT_TYPE": "text/xml; charset=utf-8",
            "CONTENT_LENGTH": str(len(data)),
            "wsgi.input": io.BytesIO(data),
            "SERVER_NAME": "t",
            "SERVER_PORT": "80",
            "wsgi.url_scheme": "http",
        }
        status: list[str] = []
        answer = b"".join(wsgi(environ, lambda s, h: status.append(s)))
        return status[0], etree.fromstring(answer)

    def stored(reference: str) -> int:
        with reading(gateway.engine) as connection:
            return int(
                connection.execute(
                    select(func.count())
                    .select_from(registrations)
                    .where(registrations.c.client_reference == reference)
                ).scalar_one()
            )

    call.stored = stored  # type: ignore[attr-defined]
    return call


PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(fields=valid_registration())
def test_every_valid_registration_is_acknowledged_and_stored_once(app, fields):
    reference = next(REFERENCES)
    for _ in range(2):  # sent twice: stored once
        status, answer = app(request_body(fields, reference))
        assert status.startswith("200"), etree.tostring(answer)[:600]
        assert answer.findtext(".//p:Status", namespaces=NS) == "SUCCESSFULLY REGISTERED"
    assert app.stored(reference) == 1


@PROPERTY
@given(fields=valid_registration(), data=st.data())
def test_every_near_valid_registration_is_refused_naming_the_element(app, fields, data):
    broken = data.draw(st.sampled_from(sorted(BREAKERS)))
    fields = {**fields, broken: data.draw(BREAKERS[broken])}
    reference = next(REFERENCES)
    status, answer = app(request_body(fields, reference))
    assert status.startswith("500")
    assert answer.findtext(".//e:Code", namespaces=NS) == "Client.SchemaValidation"
    messages = [m.text or "" for m in answer.iterfind(".//e:Message", namespaces=NS)]
    assert any(f"/{broken}:" in m or f"'{broken}'" in m for m in messages), messages
    assert app.stored(reference) == 0
