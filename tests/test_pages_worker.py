"""The worker's page behind a declaration's QR code or URL, over HTTP as a phone without
JavaScript uses it; what it stores is read back through the SOAP service. On SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from gateway.domain.workday import BELGIUM
from gateway.services.checking import CheckWorker
from tests.web import (
    CONTRACTOR,
    OUTSIDER,
    SECOND_WORKER,
    SUBCONTRACTOR,
    WORKER,
    WORKPLACE,
    Page,
    WebClient,
    base_of,
    works_on_site,
)

UNKNOWN_WORKER = "97440936363"  # a valid BIS number in no registry
ADDRESS = {
    "street": "Wetstraat",
    "house_number": "16",
    "postal_code": "1000",
    "municipality": "Brussel",
    "country": "BE",
}


@pytest.fixture
def site(gateway):
    works_on_site(gateway)
    return gateway


@pytest.fixture
def two_employers(site):
    """The site, with SECOND_WORKER employed by SUBCONTRACTOR (and WORKER by CONTRACTOR)."""
    works_on_site(
        site,
        Employment=[
            {"INSS": SECOND_WORKER, "CompanyID": SUBCONTRACTOR, "ValidFrom": date(2020, 1, 1)}
        ],
    )
    return site


def identified(phone: WebClient, inss: str = WORKER, via: str = "qr") -> Page:
    """Opens the declaration's page and gives the worker's number: the second step."""
    start = phone.get(f"/r/{WORKPLACE}?via={via}")
    assert start.status == 200
    form = start.fields()
    form.update(kind="INSS", identifier=inss)
    step = phone.post(f"/r/{WORKPLACE}", form)
    assert step.status == 200, step.body
    return step


def register(phone: WebClient, step: Page, **choices: str) -> Page:
    """Sends the second step with ``choices``; the employer is CONTRACTOR unless chosen."""
    form = {"company": CONTRACTOR, **step.fields(), **choices}
    return phone.post(f"/r/{WORKPLACE}/register", form)


def employers(step: Page) -> list[str]:
    return step.texts("#employer label")


def stored(gateway, registration_id: int):  # type: ignore[no-untyped-def]
    return gateway.client().service.getPresenceRegistration(PresenceRegistrationId=registration_id)


def test_a_worker_registers_a_check_in_from_the_qr_code_with_a_typed_address(site):
    phone = WebClient(base_of(site), language="en")
    step = identified(phone)
    assert step.text(".declaration") == (
        f"Declaration of works {WORKPLACE} Wetstraat 16, 1000 Brussel "
        f"Declared by Net & Proper NV ({CONTRACTOR})"
    )
    assert employers(step) == [f"Net & Proper NV ({CONTRACTOR})", f"Glans BV ({SUBCONTRACTOR})"]
    before = datetime.now(UTC)
    done = register(phone, step, type="CHECK_IN", **ADDRESS)
    assert done.status == 200
    assert done.text("#recorded-type") == "Start of work"
    assert done.text("#recorded-location") == "Wetstraat 16, 1000 Brussel"
    registration_id = int(done.text("#recorded-id"))

    found = stored(site, registration_id)
    submitted = found.PresenceRegistrationSubmitted
    assert (submitted.INSS, submitted.CompanyID, submitted.WorkPlaceId) == (
        WORKER,
        CONTRACTOR,
        WORKPLACE,
    )
    assert submitted.RegistrationType == "CHECK_IN"
    assert submitted.RegistrationMeans == "QR_CODE"
    assert submitted.Location.Address.Street == "Wetstraat"
    assert submitted.Location.Address.PostalCode == "1000"
    assert found.Channel == "WEB"
    assert found.Sender.SenderUserType == "WORKER"
    assert found.Sender.SenderCompanyId == CONTRACTOR
    assert before - timedelta(seconds=1) <= submitted.RegistrationDateTime <= datetime.now(UTC)
    assert submitted.RegistrationDateTime.utcoffset() in (timedelta(hours=1), timedelta(hours=2))


def test_a_followed_link_is_recorded_with_means_url(site):
    phone = WebClient(base_of(site))
    done = register(phone, identified(phone, via="url"), type="CHECK_IN")
    found = stored(site, int(done.text("#recorded-id")))
    assert found.PresenceRegistrationSubmitted.RegistrationMeans == "URL"
    assert found.PresenceRegistrationSubmitted.Location is None  # GPS is not mandatory


def test_the_position_is_stored_only_with_the_workers_consent(site):
    phone = WebClient(base_of(site))
    position = {"latitude": "50.8466123", "longitude": "4.3528456", "accuracy": "12.5"}
    without = register(phone, identified(phone), type="CHECK_IN", **position)
    assert (
        stored(site, int(without.text("#recorded-id"))).PresenceRegistrationSubmitted.Location
        is None
    )
    agreed = register(phone, identified(phone), type="BREAK_START", consent="yes", **position)
    location = stored(site, int(agreed.text("#recorded-id"))).PresenceRegistrationSubmitted.Location
    assert location.Coordinates.Latitude == Decimal("50.8466123")
    assert location.Coordinates.Longitude == Decimal("4.3528456")
    assert location.Coordinates.AccuracyMeters == Decimal("12.50")


def _without_what_was_typed(step: Page, inss: str) -> bytes:
    """The second step's page less the number typed, the form's own random reference and its
    token (signed with the second it was made in)."""
    fields = step.fields()
    body = step.body.replace(inss.encode(), b"INSS")
    return body.replace(fields["reference"].encode(), b"REF").replace(fields["csrf"].encode(), b"T")


def test_the_page_tells_nothing_about_who_employs_the_number_typed(two_employers):
    site = two_employers
    phone = WebClient(base_of(site), language="en")
    numbers = (WORKER, SECOND_WORKER, UNKNOWN_WORKER)  # of CONTRACTOR, of SUBCONTRACTOR, none
    steps = {inss: identified(phone, inss=inss) for inss in numbers}
    seen = {_without_what_was_typed(step, inss) for inss, step in steps.items()}
    assert len(seen) == 1  # the same page, byte for byte, whoever employs the number
    step = steps[WORKER]
    assert employers(step) == [f"Net & Proper NV ({CONTRACTOR})", f"Glans BV ({SUBCONTRACTOR})"]
    assert [e.checked for e in step.html.cssselect("#employer input")] == [False, False]


def test_a_worker_chooses_their_employer_and_a_wrong_choice_is_checked_afterwards(two_employers):
    site = two_employers
    phone = WebClient(base_of(site), language="en")
    step = identified(phone, inss=SECOND_WORKER)
    unchosen = register(phone, step, type="CHECK_IN", company="")
    assert unchosen.status == 400
    assert unchosen.text("#company-error") == "Choose your employer."
    outside = register(phone, step, type="CHECK_IN", company=OUTSIDER)  # not of the chain
    assert outside.status == 400
    assert outside.text("#company-error") == "Choose your employer."
    right = register(phone, step, type="CHECK_IN", company=SUBCONTRACTOR)
    wrong = register(phone, identified(phone, inss=SECOND_WORKER), type="CHECK_IN")
    assert (right.status, wrong.status) == (200, 200)  # every registration is accepted
    while CheckWorker(site.engine).run_once():
        pass
    found = {
        employer: stored(site, int(done.text("#recorded-id")))
        for employer, done in ((SUBCONTRACTOR, right), (CONTRACTOR, wrong))
    }
    assert found[SUBCONTRACTOR].PresenceRegistrationSubmitted.CompanyID == SUBCONTRACTOR
    assert found[CONTRACTOR].PresenceRegistrationSubmitted.CompanyID == CONTRACTOR
    codes = {
        employer: [r.RemarkCode for r in registration.LastValidation.RemarkList.Remark]
        if registration.LastValidation.RemarkList
        else []
        for employer, registration in found.items()
    }
    assert "NO_EMPLOYMENT" not in codes[SUBCONTRACTOR]
    assert "NO_EMPLOYMENT" in codes[CONTRACTOR]


def test_a_declaration_of_one_enterprise_has_its_employer_chosen_already(site):
    works_on_site(
        site,
        Declaration=[
            {
                "WorkPlaceId": "DW2026000901",
                "ContractorCompanyID": CONTRACTOR,
                "ValidFrom": date(2020, 1, 1),
                "SubjectToRegistration": True,
            }
        ],
    )
    phone = WebClient(base_of(site), language="en")
    start = phone.get("/r/DW2026000901")
    step = phone.post("/r/DW2026000901", {**start.fields(), "identifier": UNKNOWN_WORKER})
    assert step.fields()["company"] == CONTRACTOR
    done = phone.post("/r/DW2026000901/register", {**step.fields(), "type": "CHECK_IN"})
    assert done.status == 200


def test_a_limosa_worker_registers_without_an_employer(site):
    phone = WebClient(base_of(site))
    start = phone.get(f"/r/{WORKPLACE}")
    step = phone.post(
        f"/r/{WORKPLACE}", {**start.fields(), "kind": "LIMOSA", "identifier": "L-2026-77"}
    )
    done = register(phone, step, type="CHECK_IN")
    found = stored(site, int(done.text("#recorded-id")))
    assert found.PresenceRegistrationSubmitted.LimosaId == "L-2026-77"
    assert found.PresenceRegistrationSubmitted.CompanyID is None


def test_a_carriage_return_in_the_number_comes_back_from_the_second_step_as_sent(site):
    # An HTML parser reads a bare carriage return in a page as a line feed: the hidden field
    # carrying the number to the second step must write it so that it comes back as typed.
    phone = WebClient(base_of(site))
    start = phone.get(f"/r/{WORKPLACE}")
    step = phone.post(
        f"/r/{WORKPLACE}", {**start.fields(), "kind": "LIMOSA", "identifier": "L-2026\r77"}
    )
    assert step.fields()["identifier"] == "L-2026\r77"
    done = register(phone, step, type="CHECK_IN")
    found = stored(site, int(done.text("#recorded-id")))
    assert found.PresenceRegistrationSubmitted.LimosaId == "L-2026\r77"


def test_a_form_sent_twice_is_stored_once(site):
    phone = WebClient(base_of(site))
    step = identified(phone)
    first = register(phone, step, type="CHECK_IN")
    again = register(phone, step, type="CHECK_IN")  # a double tap, or a reload of the answer
    assert first.text("#recorded-id") == again.text("#recorded-id")
    assert site.count() == 1


@pytest.mark.parametrize("tampering", ["no token", "forged token", "another device's token"])
def test_a_form_without_this_devices_token_is_refused_and_nothing_is_stored(site, tampering):
    phone = WebClient(base_of(site), language="en")
    form = {**identified(phone).fields(), "type": "CHECK_IN"}
    if tampering == "no token":
        del form["csrf"]
    elif tampering == "forged token":
        form["csrf"] = form["csrf"][:-4] + "AAAA"
    else:
        other = WebClient(base_of(site))
        form["csrf"] = other.get(f"/r/{WORKPLACE}").fields()["csrf"]
    refused = phone.post(f"/r/{WORKPLACE}/register", form)
    assert refused.status == 403
    assert refused.text("h1") == "This form has expired"
    assert site.count() == 0


def test_a_device_that_floods_the_page_is_slowed_down(site):
    phone = WebClient(base_of(site), language="en")
    step = identified(phone)
    answers = [
        register(phone, step, type="CHECK_IN", reference=f"flood-{n:04d}").status for n in range(12)
    ]
    assert answers[:10] == [200] * 10
    assert answers[10:] == [429, 429]
    assert site.count() == 10
    other_phone = WebClient(base_of(site))
    assert register(other_phone, identified(other_phone), type="CHECK_IN").status == 200


def test_a_wrong_number_or_an_unknown_declaration_gets_a_clear_page(site):
    phone = WebClient(base_of(site), language="en")
    start = phone.get(f"/r/{WORKPLACE}")
    wrong = phone.post(f"/r/{WORKPLACE}", {**start.fields(), "identifier": "12345"})
    assert wrong.status == 400
    assert wrong.text("#identifier-error") == "A national or BIS number has 11 digits."
    assert wrong.html.cssselect("#identifier")[0].get("aria-invalid") == "true"
    unknown = phone.get("/r/DW0000000000")
    assert unknown.status == 404
    assert unknown.text("h1") == "Page not found"


def test_the_page_speaks_dutch_french_and_english(site):
    assert WebClient(base_of(site)).get(f"/r/{WORKPLACE}").text("h1") == (
        "Registreer uw aanwezigheid"
    )
    french = WebClient(base_of(site), language="fr-BE,fr;q=0.9")
    page = french.get(f"/r/{WORKPLACE}")
    assert page.text("h1") == "Enregistrez votre présence"
    assert page.html.get("lang") == "fr"
    chosen = french.get(f"/r/{WORKPLACE}?via=qr&lang=en")
    assert chosen.text("h1") == "Register your presence"
    assert french.get(f"/r/{WORKPLACE}").text("h1") == "Register your presence"  # remembered
    links = chosen.html.cssselect("nav.languages a")
    assert all("via=qr" in link.get("href") for link in links)


def test_the_pages_are_sent_with_protective_headers_and_cookies(site):
    phone = WebClient(base_of(site))
    page = phone.get(f"/r/{WORKPLACE}")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"
    device = phone.cookie("ciao_device")
    assert device.has_nonstandard_attr("HttpOnly")
    assert device.get_nonstandard_attr("SameSite") == "Lax"
    assert not device.secure  # plain HTTP here; Secure over HTTPS or with CIAO_SECURE_COOKIES


def test_a_check_out_on_the_page_closes_a_check_in_from_a_badge(site):
    works_on_site(
        site,
        Person=[{"INSS": SECOND_WORKER, "Name": "An Janssens"}],
        Employment=[
            {
                "INSS": SECOND_WORKER,
                "CompanyID": CONTRACTOR,
                "ValidFrom": datetime(2020, 1, 1).date(),
            }
        ],
    )
    now = datetime.now(UTC)
    start_of_day = now.astimezone(BELGIUM).replace(hour=0, minute=0, second=0, microsecond=0)
    checked_in = max(now - timedelta(hours=1), start_of_day + timedelta(seconds=1))
    badge = site.client().service.registerPresences(
        PresenceRegistrationRequest=[
            {
                "INSS": WORKER,
                "CompanyID": CONTRACTOR,
                "WorkPlaceId": WORKPLACE,
                "RegistrationType": "CHECK_IN",
                "RegistrationDateTime": checked_in,
                "RegistrationMeans": "BADGE",
                "EmergencyProcedure": True,  # the badge reader was offline: sent an hour later
            }
        ]
    )
    badge_id = badge[0].PresenceRegistration.PresenceRegistrationId
    phone = WebClient(base_of(site))
    closing = register(phone, identified(phone), type="CHECK_OUT")
    lonely = register(phone, identified(phone, inss=SECOND_WORKER), type="CHECK_OUT")
    while CheckWorker(site.engine).run_once():
        pass

    def remarks(registration_id: int) -> list[str]:
        validation = stored(site, registration_id).LastValidation
        return [
            r.RemarkCode for r in (validation.RemarkList.Remark if validation.RemarkList else [])
        ]

    assert remarks(badge_id) == []
    assert remarks(int(closing.text("#recorded-id"))) == []  # checked with the badge's check-in
    assert remarks(int(lonely.text("#recorded-id"))) == ["CHECK_OUT_WITHOUT_CHECK_IN"]


def test_a_locked_database_gives_a_page_to_try_again_and_stores_nothing(sqlite_gateway):
    import sqlite3

    from sqlalchemy.engine import make_url

    works_on_site(sqlite_gateway)
    phone = WebClient(base_of(sqlite_gateway), language="en")
    step = identified(phone)
    path = str(make_url(sqlite_gateway.settings.database_url).database)
    locker = sqlite3.connect(path, isolation_level=None, timeout=1)
    locker.execute("BEGIN EXCLUSIVE")  # another process holding the write lock too long
    try:
        refused = register(phone, step, type="CHECK_IN")
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert refused.status == 503
    assert refused.text("h1") == "Not available just now"
    assert sqlite_gateway.count() == 0
    assert register(phone, step, type="CHECK_IN").status == 200  # the same form, once free


@pytest.mark.parametrize(
    ("secure_cookies", "scheme", "secure"),
    [(False, "http", False), (False, "https", True), (True, "http", True)],
)
def test_cookies_are_secure_over_https_or_when_configured(
    sqlite_gateway, secure_cookies, scheme, secure
):
    from dataclasses import replace

    from werkzeug.test import Client

    from gateway.bootstrap import create_app

    works_on_site(sqlite_gateway)
    settings = replace(sqlite_gateway.settings, secure_cookies=secure_cookies)
    client = Client(create_app(settings, sqlite_gateway.engine))
    answer = client.get(f"/r/{WORKPLACE}", environ_overrides={"wsgi.url_scheme": scheme})
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ("Secure" in cookie) is secure
