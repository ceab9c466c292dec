"""The operators' certificates page over HTTP: an operator registers an account's certificate
(its signed calls then count as the account's), sees why a paste is refused in the page's
language, and removes it again; an employer finds no such page."""

from __future__ import annotations

from lxml import etree

from tests.conftest import PASSWORD
from tests.signing import pair, signed
from tests.soap import post
from tests.web import WebClient, base_of


def operator(gateway, language: str = "en") -> WebClient:  # type: ignore[no-untyped-def]
    gateway.admin()  # the operator account rsz-operator
    browser = WebClient(base_of(gateway), language=language)
    assert browser.login("rsz-operator", PASSWORD).status == 200
    return browser


def test_an_operator_registers_a_certificate_whose_signed_calls_are_then_the_accounts(
    sqlite_gateway,
):
    made = pair()
    browser = operator(sqlite_gateway)
    page = browser.get("/manage/certificates")
    assert page.text("#no-certificates") == "No certificate is registered."
    assert "/manage/certificates" in [a.get("href") for a in page.html.cssselect("nav a")]
    form = page.fields("form#register")
    form.update(username="badge-system", certificate=made.certificate.decode())
    page = browser.post("/manage/certificates", form)
    assert page.status == 200, page.body
    assert page.texts("table.certificates tbody td")[:2] == ["badge-system", "CN=badge-system"]
    assert post(sqlite_gateway.url, etree.tostring(signed(made))).status == 200

    page = browser.post("/manage/certificates", page.fields("table.certificates form"))
    assert page.text("#no-certificates") == "No certificate is registered."
    refused = post(sqlite_gateway.url, etree.tostring(signed(made)))
    assert refused.error_code == "Client.SignatureRejected"
    assert sqlite_gateway.count() == 1


def test_a_paste_that_is_no_certificate_is_refused_in_the_pages_language(sqlite_gateway):
    browser = operator(sqlite_gateway, language="nl")
    form = browser.get("/manage/certificates").fields("form#register")
    form.update(username="badge-system", certificate=pair().key.decode())
    page = browser.post("/manage/certificates", form)
    assert page.status == 400
    assert page.text("p.error") == "Het bestand bevat geen X.509-certificaat (PEM of DER)."
    form.update(username="nobody", certificate=pair().certificate.decode())
    page = browser.post("/manage/certificates", form)
    assert page.text("p.error") == "Er is geen account met de naam nobody."


def test_a_registration_without_the_sessions_token_is_refused(sqlite_gateway):
    browser = operator(sqlite_gateway)
    page = browser.post(
        "/manage/certificates",
        {"username": "badge-system", "certificate": pair().certificate.decode()},
    )
    assert page.status == 403
    assert "No certificate is registered." in browser.get("/manage/certificates").text("main")


def test_an_employer_finds_no_certificates_page(sqlite_gateway):
    browser = WebClient(base_of(sqlite_gateway), language="en")
    page = browser.login("badge-system", PASSWORD)
    assert "/manage/certificates" not in [a.get("href") for a in page.html.cssselect("nav a")]
    assert browser.get("/manage/certificates").status == 404
