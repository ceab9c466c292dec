"""The employer's management pages over HTTP: login, the registrations of its workers and its
subcontracting chain (exactly what searchPresences shows it), open remarks with their action,
correction requests within 30 days, the CSV export, and the QR codes of its declarations.
On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from gateway.domain.workday import BELGIUM
from gateway.services.checking import CheckWorker
from tests.conftest import PASSWORD
from tests.web import (
    CONTRACTOR,
    OUTSIDER,
    SUBCONTRACTOR,
    WORKER,
    WORKPLACE,
    WebClient,
    base_of,
    works_on_site,
)

SUB_WORKER = "05010104566"


@pytest.fixture
def site(gateway):
    """The declaration, an account per enterprise (the contractor's is ``badge-system``), and
    two registrations of today: a contractor's worker and a subcontractor's worker whose
    national number the register does not know (a remark)."""
    works_on_site(
        gateway,
        Employment=[
            {
                "INSS": SUB_WORKER,
                "CompanyID": SUBCONTRACTOR,
                "ValidFrom": datetime(2020, 1, 1).date(),
            }
        ],
    )
    gateway.add_account("glans-system", company=SUBCONTRACTOR)
    gateway.add_account("outsider-system", company=OUTSIDER)
    moment = datetime.now(UTC) - timedelta(minutes=5)
    ids = {}
    for username, inss, company in (
        ("badge-system", WORKER, CONTRACTOR),
        ("glans-system", SUB_WORKER, SUBCONTRACTOR),
    ):
        answer = gateway.client(username).service.registerPresences(
            PresenceRegistrationRequest=[
                {
                    "INSS": inss,
                    "CompanyID": company,
                    "WorkPlaceId": WORKPLACE,
                    "RegistrationType": "CHECK_IN",
                    "RegistrationDateTime": moment,
                    "RegistrationMeans": "BADGE",
                }
            ]
        )
        ids[company] = answer[0].PresenceRegistration.PresenceRegistrationId
    while CheckWorker(gateway.engine).run_once():
        pass
    gateway.ids = ids
    return gateway


def logged_in(gateway, username: str, language: str = "en") -> WebClient:  # type: ignore[no-untyped-def]
    browser = WebClient(base_of(gateway), language=language)
    page = browser.login(username, PASSWORD)
    assert page.status == 200, page.body
    return browser


def listed(browser: WebClient) -> list[int]:
    page = browser.get("/manage/registrations")
    return sorted(int(cell) for cell in page.texts("tbody tr td:first-child"))


def test_a_visitor_without_a_session_is_sent_to_the_login_page(site):
    page = WebClient(base_of(site), language="en").get("/manage/registrations")
    assert page.status == 200
    assert page.text("h1") == "Registrations of your enterprise"
    assert page.html.cssselect("input[name=next]")[0].get("value") == "/manage/registrations"


def test_a_wrong_password_is_refused_and_a_good_one_opens_a_protected_session(site):
    browser = WebClient(base_of(site), language="en")
    refused = browser.login("badge-system", "not the password")
    assert refused.status == 401
    assert "wrong" in refused.text("p.error")
    assert [c.name for c in browser.cookies] == []
    page = browser.login("badge-system", PASSWORD)
    assert page.text("h1") == "Registrations"
    session = browser.cookie("ciao_session")
    assert session.has_nonstandard_attr("HttpOnly")
    assert session.get_nonstandard_attr("SameSite") == "Lax"


def test_each_enterprise_sees_its_workers_and_its_chain_as_search_presences_shows_them(site):
    everything = sorted(site.ids.values())
    assert listed(logged_in(site, "badge-system")) == everything  # the contractor: the chain
    assert listed(logged_in(site, "glans-system")) == [site.ids[SUBCONTRACTOR]]
    outsider = logged_in(site, "outsider-system")
    assert listed(outsider) == []
    assert outsider.get("/manage/registrations").text("#result-count").startswith("0 ")
    assert outsider.get(f"/manage/registrations/{site.ids[CONTRACTOR]}").status == 404
    today = datetime.now(BELGIUM).date()
    soap = site.client("glans-system").service.searchPresences(
        RegistrationPeriodList={
            "RegistrationPeriod": [{"StartDate": today - timedelta(days=6), "EndDate": today}]
        }
    )
    assert [r.PresenceRegistrationId for r in soap.PresenceRegistration] == [
        site.ids[SUBCONTRACTOR]
    ]


def test_the_filters_narrow_the_list(site):
    browser = logged_in(site, "badge-system")
    by_worker = browser.get(f"/manage/registrations?inss={SUB_WORKER}")
    assert [int(c) for c in by_worker.texts("tbody tr td:first-child")] == [site.ids[SUBCONTRACTOR]]
    by_remark = browser.get("/manage/registrations?remark=INSS_UNKNOWN")
    assert [int(c) for c in by_remark.texts("tbody tr td:first-child")] == [site.ids[SUBCONTRACTOR]]
    validated = browser.get("/manage/registrations?status=VALIDATED")
    assert [int(c) for c in validated.texts("tbody tr td:first-child")] == [site.ids[CONTRACTOR]]
    long_ago = browser.get("/manage/registrations?from=2025-01-01&to=2025-01-31")
    assert long_ago.texts("tbody tr") == []


def test_open_remarks_are_listed_with_the_action_to_take(site):
    page = logged_in(site, "badge-system").get("/manage/remarks")
    remarks = page.texts("ul.remarks > li > ul > li")
    assert len(remarks) == 1
    assert remarks[0].startswith("INSS_UNKNOWN: NISS IS NOT KNOW IN THE NATIONAL REGISTER")
    assert "a BIS number must be requested" in remarks[0]
    dutch = WebClient(base_of(site), language="nl")
    dutch.login("badge-system", PASSWORD)
    assert "moet een BIS-nummer worden aangevraagd" in dutch.get("/manage/remarks").text(
        "ul.remarks span.action"
    )


def test_a_correction_is_requested_from_the_registration_page(site):
    browser = logged_in(site, "badge-system")
    registration_id = site.ids[SUBCONTRACTOR]
    detail = browser.get(f"/manage/registrations/{registration_id}")
    assert detail.text("#status") == "Checked, with remarks"
    form = detail.fields("form[action$='/correction']")
    form.update(kind="WRONG_WORKPLACE_ID", proposed="DW2026000901", motivation="wrong QR code")
    filed = browser.post(f"/manage/registrations/{registration_id}/correction", form)
    assert "is pending" in filed.text("#correction-filed")
    pending = site.admin().service.listCorrectionRequests()
    assert [(c.PresenceRegistrationId, c.ProposedValue) for c in pending] == [
        (registration_id, "DW2026000901")
    ]


def test_a_correction_post_without_the_session_token_is_refused(site):
    browser = logged_in(site, "badge-system")
    registration_id = site.ids[CONTRACTOR]
    refused = browser.post(
        f"/manage/registrations/{registration_id}/correction",
        {"kind": "WRONG_COMPANY_ID", "proposed": SUBCONTRACTOR},
    )
    assert refused.status == 403
    assert site.admin().service.listCorrectionRequests() == []


def test_a_refused_correction_says_why(site):
    browser = logged_in(site, "badge-system")
    registration_id = site.ids[CONTRACTOR]
    form = browser.get(f"/manage/registrations/{registration_id}").fields(
        "form[action$='/correction']"
    )
    form.update(kind="WRONG_COMPANY_ID", proposed="0123456789", motivation="typed wrong")
    page = browser.post(f"/manage/registrations/{registration_id}/correction", form)
    assert page.text("p.error") == "0123456789 is not a valid enterprise number."


def test_a_refusal_is_said_in_the_language_of_the_page(site):
    dutch = logged_in(site, "badge-system", language="nl")
    registration_id = site.ids[CONTRACTOR]
    form = dutch.get(f"/manage/registrations/{registration_id}").fields(
        "form[action$='/correction']"
    )
    form.update(kind="WRONG_COMPANY_ID", proposed=CONTRACTOR, motivation="typed wrong")
    page = dutch.post(f"/manage/registrations/{registration_id}/correction", form)
    assert page.text("p.error") == f"De voorgestelde waarde {CONTRACTOR} is de huidige."
    french = logged_in(site, "glans-system", language="fr")
    today = datetime.now(BELGIUM).date()
    too_long = french.get(f"/manage/export?from={today - timedelta(days=100)}&to={today}")
    assert too_long.status == 400
    assert too_long.text("p[role=alert]") == (
        "La période couvre 101 jours calendrier ; un export en couvre au plus 100. "
        "Répartissez-la sur plusieurs exports."
    )


def test_the_export_gives_the_csv_of_at_most_100_days(site):
    browser = logged_in(site, "glans-system")
    today = datetime.now(BELGIUM).date()
    answer = browser.get(f"/manage/export?from={today - timedelta(days=99)}&to={today}")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.body.decode())))
    assert [int(r["PresenceRegistrationId"]) for r in rows] == [site.ids[SUBCONTRACTOR]]
    too_long = browser.get(f"/manage/export?from={today - timedelta(days=100)}&to={today}")
    assert too_long.status == 400
    assert "at most 100" in too_long.text("p[role=alert]")


def test_an_employer_prints_the_qr_codes_of_its_declarations_only(site):
    contractor = logged_in(site, "badge-system")
    page = contractor.get("/manage/workplaces")
    assert page.texts("section.qr h2") == [WORKPLACE]
    assert page.text("section.qr a").endswith(f"/r/{WORKPLACE}")
    svg = contractor.get(f"/manage/workplaces/{WORKPLACE}/qr.svg")
    assert svg.headers["Content-Type"] == "image/svg+xml"
    assert svg.body.startswith(b"<?xml")
    assert logged_in(site, "glans-system").get("/manage/workplaces").texts("section.qr h2") == [
        WORKPLACE
    ]
    outsider = logged_in(site, "outsider-system")
    assert outsider.get("/manage/workplaces").texts("section.qr h2") == []
    assert outsider.get(f"/manage/workplaces/{WORKPLACE}/qr.svg").status == 404


def test_a_disabled_account_loses_its_session_and_logging_out_ends_it(site):
    browser = logged_in(site, "glans-system")
    site.disable("glans-system")
    assert browser.get("/manage/registrations").text("h1") == "Registrations of your enterprise"
    contractor = logged_in(site, "badge-system")
    csrf = contractor.get("/manage/registrations").fields("form.inline")["csrf"]
    contractor.post("/manage/logout", {"csrf": csrf})
    assert contractor.get("/manage/registrations").text("h1") == (
        "Registrations of your enterprise"
    )


def test_the_qr_command_writes_a_code_that_scans_to_the_declarations_url(site, tmp_path):
    import zxingcpp

    output = tmp_path / "site.png"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gateway.cli",
            "qr",
            WORKPLACE,
            "--url",
            "https://ciao.example.be",
            "--output",
            str(output),
            "--database",
            site.settings.database_url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    scanned = [r.text for r in zxingcpp.read_barcodes(Image.open(output))]
    assert scanned == [f"https://ciao.example.be/r/{WORKPLACE}?via=qr"]
    unknown = subprocess.run(
        [
            sys.executable,
            "-m",
            "gateway.cli",
            "qr",
            "DW404",
            "--database",
            site.settings.database_url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert unknown.returncode == 2
    assert "there is no declaration of works DW404" in unknown.stderr


def test_a_long_list_is_shown_50_a_page(gateway):
    works_on_site(gateway)
    now = datetime.now(UTC)
    gateway.client().service.registerPresences(
        PresenceRegistrationRequest=[
            {
                "INSS": WORKER,
                "CompanyID": CONTRACTOR,
                "WorkPlaceId": WORKPLACE,
                "RegistrationType": "CHECK_IN",
                "RegistrationDateTime": now - timedelta(seconds=n),
                "RegistrationMeans": "BADGE",
                "ClientPresenceRegistrationReference": f"page-{n}",
            }
            for n in range(55)
        ]
    )
    browser = logged_in(gateway, "badge-system")
    first = browser.get("/manage/registrations")
    assert len(first.texts("tbody tr")) == 50
    assert first.text("nav.pages span") == "Page 1 of 2"
    following = first.html.cssselect("nav.pages a[rel=next]")[0].get("href")
    second = browser.get("/manage/registrations" + following)
    assert len(second.texts("tbody tr")) == 5
    assert second.text("nav.pages span") == "Page 2 of 2"
    shown = first.texts("tbody tr td:first-child") + second.texts("tbody tr td:first-child")
    assert len(set(shown)) == 55
    assert browser.get("/manage/registrations?page=x").status == 200  # a bad page number: page 1
    for past_the_end in ("3", "1" + "0" * 21):
        last = browser.get(f"/manage/registrations?page={past_the_end}")
        assert last.status == 200
        assert last.text("nav.pages span") == "Page 2 of 2"
        assert len(last.texts("tbody tr")) == 5
