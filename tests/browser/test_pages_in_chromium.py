"""The pages in a real headless Chromium (Debian's package, driven by Playwright): the employer
prints the QR code of a site, a worker scans it on a phone and checks in with a typed address,
checks out with the phone's (faked) position, and the employer finds both, sees the remark,
files a correction request and exports the CSV; an enterprise outside the chain sees none of
it. A screenshot of every page is kept under test-artifacts/browser/.

Chromium is installed by ``make test`` (Debian's ``chromium``); where it is missing the test is
skipped with the reason, and fails instead when CIAO_REQUIRE_BROWSER is set (CI).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from gateway.services.checking import CheckWorker
from tests.conftest import NODE_MODULES, PASSWORD
from tests.web import (
    CONTRACTOR,
    OUTSIDER,
    SUBCONTRACTOR,
    WORKER,
    WORKPLACE,
    base_of,
    works_on_site,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True}
BRUSSELS = {"latitude": 50.8466, "longitude": 4.3528, "accuracy": 12}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        reason = "Chromium is not installed (Debian's chromium package; make test installs it)"
        if os.environ.get("CIAO_REQUIRE_BROWSER"):
            pytest.fail(reason + " and CIAO_REQUIRE_BROWSER is set")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(browser, base: str, username: str, **options: object):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="en-GB", accept_downloads=True, **options)
    page = context.new_page()
    page.goto(base + "/manage/registrations")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/manage/registrations")
    return page


def test_a_worker_registers_from_the_qr_code_and_the_employer_follows_it_up(
    browser, sqlite_gateway
):
    import zxingcpp

    gateway = sqlite_gateway
    works_on_site(gateway, known_worker=False)  # a remark: the register does not know them
    gateway.add_account("outsider-system", company=OUTSIDER)
    base = base_of(gateway)

    # The employer prints the site's QR code.
    employer = log_in(browser, base, "badge-system")
    employer.get_by_role("link", name="QR codes").click()
    employer.wait_for_url("**/manage/workplaces")
    shot(employer, "1-employer-qr-codes")
    code = employer.get_by_role("img", name=f"QR code to register on declaration {WORKPLACE}")
    scanned = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(code.screenshot())))]
    assert scanned == [f"{base}/r/{WORKPLACE}?via=qr"]

    # A worker scans it and checks in with a typed address (no position shared).
    phone = browser.new_context(locale="nl-BE", **PHONE).new_page()
    phone.goto(scanned[0])
    assert phone.locator("h1").inner_text() == "Registreer uw aanwezigheid"
    shot(phone, "2-worker-identify")
    phone.get_by_label("Uw nummer").fill(WORKER)
    phone.get_by_role("button", name="Volgende").click()
    # Every enterprise of the chain, whoever the number belongs to: one tap chooses.
    employers = phone.locator("#employer label").all_inner_texts()
    assert employers == [f"Net & Proper NV ({CONTRACTOR})", f"Glans BV ({SUBCONTRACTOR})"]
    phone.get_by_label(f"Net & Proper NV ({CONTRACTOR})").check()
    phone.get_by_label("Begin werk").check()
    phone.get_by_label("Straat").fill("Wetstraat")
    phone.get_by_label("Nummer").fill("16")
    phone.get_by_label("Postcode").fill("1000")
    phone.get_by_label("Gemeente").fill("Brussel")
    shot(phone, "3-worker-check-in")
    phone.get_by_role("button", name="Registreren").click()
    assert phone.locator("#recorded-type").inner_text() == "Begin werk"
    assert phone.locator("#recorded-location").inner_text().strip() == "Wetstraat 16, 1000 Brussel"
    check_in = int(phone.locator("#recorded-id").inner_text())
    shot(phone, "4-worker-registered")

    # Later the same worker checks out with the phone's position, after consent.
    located = browser.new_context(
        locale="en-GB", geolocation=BRUSSELS, permissions=["geolocation"], **PHONE
    ).new_page()
    located.goto(scanned[0])
    located.get_by_label("Your number").fill(WORKER)
    located.get_by_role("button", name="Next").click()
    located.get_by_role("button", name="Register").click()  # the employer forgotten
    assert located.locator("#company-error").inner_text() == "Choose your employer."
    located.get_by_label(f"Net & Proper NV ({CONTRACTOR})").check()
    located.get_by_label("End of work").check()
    use_position = located.get_by_role("button", name="Use my position")
    assert use_position.is_disabled()  # nothing is located before consent
    located.get_by_label("I agree that my phone's position is sent").check()
    use_position.click()
    located.get_by_text("Position found: 50.84660, 4.35280").wait_for()
    shot(located, "5-worker-check-out-with-position")
    located.get_by_role("button", name="Register").click()
    assert located.locator("#recorded-location").inner_text().strip() == (
        "50.8466000, 4.3528000 (± 12.00 m)"
    )
    check_out = int(located.locator("#recorded-id").inner_text())

    while CheckWorker(gateway.engine).run_once():
        pass

    # The employer finds both, sees the remark and asks a correction.
    employer.goto(base + f"/manage/registrations?inss={WORKER}")
    rows = employer.locator("tbody tr")
    assert rows.count() == 2
    assert "INSS_UNKNOWN" in rows.first.inner_text()
    shot(employer, "6-employer-registrations")
    employer.get_by_role("link", name="Open remarks").click()
    assert "a BIS number must be requested" in employer.locator("main").inner_text()
    shot(employer, "7-employer-open-remarks")
    employer.get_by_role("link", name=f"Registration {check_in}").click()
    employer.get_by_label("Wrong declaration of works number").check()
    employer.get_by_label("The right value").fill("DW2026000901")
    employer.get_by_label("Why").fill("The worker scanned the QR code of the neighbouring site.")
    employer.get_by_role("button", name="Send the correction request").click()
    assert "is pending" in employer.locator("#correction-filed").inner_text()
    shot(employer, "8-employer-correction-requested")
    pending = gateway.admin().service.listCorrectionRequests()
    assert [(c.PresenceRegistrationId, c.CorrectionType) for c in pending] == [
        (check_in, "WRONG_WORKPLACE_ID")
    ]

    # ... and exports the period as CSV.
    employer.goto(base + "/manage/registrations")
    with employer.expect_download() as download:
        employer.get_by_role("link", name="Export this period as CSV").click()
    exported = Path(download.value.path()).read_text()
    ids = [int(row["PresenceRegistrationId"]) for row in csv.DictReader(io.StringIO(exported))]
    assert ids == [check_in, check_out]
    means = [row["RegistrationMeans"] for row in csv.DictReader(io.StringIO(exported))]
    assert means == ["QR_CODE", "QR_CODE"]

    # An enterprise outside the chain sees none of it.
    outsider = log_in(browser, base, "outsider-system")
    assert outsider.locator("#result-count").inner_text().startswith("0 registrations found")
    outsider.goto(base + f"/manage/registrations/{check_in}")
    assert outsider.locator("h1").inner_text() == "Page not found"
    shot(outsider, "9-outsider-sees-nothing")
    outsider.goto(base + "/manage/workplaces")
    assert outsider.locator("section.qr").count() == 0
    assert CONTRACTOR not in outsider.locator("main").inner_text()


def test_the_pages_are_usable_with_the_keyboard_alone(browser, sqlite_gateway):
    works_on_site(sqlite_gateway)
    page = browser.new_context(locale="en-GB", **PHONE).new_page()
    page.goto(base_of(sqlite_gateway) + f"/r/{WORKPLACE}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    page.get_by_label("Your number").focus()
    page.keyboard.type(WORKER)
    page.keyboard.press("Enter")
    page.get_by_label(f"Glans BV ({SUBCONTRACTOR})").focus()
    page.keyboard.press("Space")
    page.get_by_label("Start of work").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Register").focus()
    page.keyboard.press("Enter")
    assert page.locator("#recorded-type").inner_text() == "Start of work"
    assert SUBCONTRACTOR in page.locator("main").inner_text()
    unlabelled = page.evaluate(
        "[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]"
        ".filter(e => !e.labels || e.labels.length === 0).length"
    )
    assert unlabelled == 0


AXE = NODE_MODULES / "axe-core"


def test_every_page_passes_an_axe_core_accessibility_audit(browser, sqlite_gateway):
    """axe-core (the npm package ``make test`` installs) audits each page as rendered, with
    the WCAG 2.1 A and AA rules: labels, contrast, landmarks, language, keyboard names."""
    script = AXE / "axe.min.js"
    if not script.exists():
        reason = f"{script} is missing (make test installs axe-core with npm)"
        if os.environ.get("CIAO_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    works_on_site(sqlite_gateway)
    base = base_of(sqlite_gateway)
    # The pages' Content-Security-Policy refuses injected scripts, axe's too: bypassed here.
    phone = browser.new_context(locale="fr-BE", bypass_csp=True, **PHONE).new_page()
    employer = log_in(browser, base, "badge-system", bypass_csp=True)

    def audit(page) -> list[str]:  # type: ignore[no-untyped-def]
        page.add_script_tag(path=str(script))
        found = page.evaluate(
            "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
            ".then(r => r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' ')))"
        )
        return [f"{page.url}: {violation}" for violation in found]

    violations = []
    phone.goto(base + f"/r/{WORKPLACE}?via=qr")
    violations += audit(phone)
    phone.get_by_label("Votre numéro").fill(WORKER)
    phone.get_by_role("button", name="Suivant").click()
    violations += audit(phone)
    phone.get_by_role("button", name="Enregistrer").click()  # no employer chosen: an error
    violations += audit(phone)
    phone.get_by_label(f"Glans BV ({SUBCONTRACTOR})").check()
    phone.get_by_label("Début du travail").check()
    phone.get_by_role("button", name="Enregistrer").click()
    violations += audit(phone)
    registration_id = phone.locator("#recorded-id").inner_text()
    for path in (
        "/manage/registrations",
        "/manage/remarks",
        f"/manage/registrations/{registration_id}",
        "/manage/workplaces",
        "/r/DW0000000000",
    ):
        employer.goto(base + path)
        violations += audit(employer)
    sqlite_gateway.admin()  # the operator account rsz-operator
    operator = log_in(browser, base, "rsz-operator", bypass_csp=True)
    operator.goto(base + "/manage/certificates")
    violations += audit(operator)
    operator.get_by_label("Account", exact=True).fill("badge-system")
    operator.get_by_label("Certificate (PEM)").fill("not a certificate")
    operator.get_by_role("button", name="Register").click()  # refused: the reason is shown
    violations += audit(operator)
    login = browser.new_context(locale="nl-BE", bypass_csp=True).new_page()
    login.goto(base + "/manage/login")
    violations += audit(login)
    assert violations == []
