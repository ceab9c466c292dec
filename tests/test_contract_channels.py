"""Every channel applies the contract's rules before storing: a character XML cannot carry
(U+0001 in a street, a municipality, a Limosa id, a motivation) is refused by SOAP as XML
that is not well-formed, by the pages with a message on the field in the page's language,
and by the command lines with the file, line and column. Nothing of it is stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from gateway.cli import main
from gateway.services import accounts
from gateway.services.accounts import InvalidAccount
from storage.database import reading, transaction
from storage.tables import correction_requests, enterprises
from tests.conftest import PASSWORD
from tests.soap import NS, envelope, post, registration_xml
from tests.test_pages_worker import ADDRESS, identified, register
from tests.web import WORKPLACE, WebClient, base_of, works_on_site

REFUSED = {
    "en": "This holds a character that cannot be registered, such as a control character. "
    "Type it again.",
    "nl": "Dit bevat een teken dat niet geregistreerd kan worden, zoals een stuurteken. "
    "Typ het opnieuw.",
    "fr": "Ce champ contient un caractère qui ne peut pas être enregistré, comme un caractère "
    "de contrôle. Saisissez-le à nouveau.",
}


@pytest.mark.parametrize("written", ["&#1;", "\x01", "&#xFFFE;"])
def test_soap_refuses_a_control_character_as_xml_that_is_not_well_formed(sqlite_gateway, written):
    street = (
        "<Location><Address><Street>Wet" + written + "straat</Street><PostalCode>1000"
        "</PostalCode><Municipality>Brussel</Municipality></Address></Location>"
    )
    item = registration_xml().replace("<RegistrationMeans>", street + "<RegistrationMeans>")
    body = f'<RegisterPresencesRequest xmlns="{NS["p"]}">{item}</RegisterPresencesRequest>'
    reply = post(sqlite_gateway.url, envelope(body))
    assert reply.status == 500
    assert reply.error_code == "Client.XmlSyntax"
    assert sqlite_gateway.count() == 0


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
@pytest.mark.parametrize("field", ["street", "municipality", "house_number", "postal_code"])
def test_the_worker_page_refuses_a_control_character_in_an_address(gateway, language, field):
    works_on_site(gateway)
    phone = WebClient(base_of(gateway), language=language)
    typed = {**ADDRESS, field: "1\x01" + ADDRESS[field][1:]}
    page = register(phone, identified(phone), type="CHECK_IN", **typed)
    assert page.status == 400
    assert page.text(f"#{field}-error") == REFUSED[language]
    assert gateway.count() == 0


def test_the_worker_page_refuses_a_control_character_in_a_limosa_id_or_a_reference(gateway):
    works_on_site(gateway)
    phone = WebClient(base_of(gateway), language="en")
    start = phone.get(f"/r/{WORKPLACE}")
    step = phone.post(
        f"/r/{WORKPLACE}", {**start.fields(), "kind": "LIMOSA", "identifier": "L-2026\x0177"}
    )
    assert step.status == 400
    assert step.text("#identifier-error") == REFUSED["en"]
    tampered = register(phone, identified(phone), type="CHECK_IN", reference="ref\x1b1")
    assert tampered.status == 400
    assert gateway.count() == 0


def test_a_correction_request_on_the_page_follows_the_contract(gateway):
    works_on_site(gateway)
    [answer] = gateway.client().service.registerPresences(
        PresenceRegistrationRequest=[
            {
                "INSS": "85073003328",
                "CompanyID": "0403170701",
                "WorkPlaceId": WORKPLACE,
                "RegistrationType": "CHECK_IN",
                "RegistrationDateTime": datetime.now(UTC) - timedelta(hours=1),
                "RegistrationMeans": "BADGE",
            }
        ]
    )
    registration_id = answer.PresenceRegistration.PresenceRegistrationId
    browser = WebClient(base_of(gateway), language="en")
    assert browser.login("badge-system", PASSWORD).status == 200
    detail = browser.get(f"/manage/registrations/{registration_id}")
    form = {**detail.fields("form[action$='/correction']"), "kind": "WRONG_WORKPLACE_ID"}
    for proposed, motivation, said in (
        ("DW2026\x01", "wrong QR code", "The right value has 1 to 13 characters"),
        ("DW202600090112", "too long", "The right value has 1 to 13 characters"),
        ("DW2026000901", "wrong\x02QR code", "Say why in 1 to 500 characters"),
        ("DW2026000901", "  ", "Say why in 1 to 500 characters"),
    ):
        form.update(proposed=proposed, motivation=motivation)
        page = browser.post(f"/manage/registrations/{registration_id}/correction", form)
        assert page.text("p.error").startswith(said), (proposed, motivation)
    with reading(gateway.engine) as connection:
        assert (
            connection.execute(select(func.count()).select_from(correction_requests)).scalar() == 0
        )


def test_an_import_refuses_a_control_character_naming_file_line_and_column(
    engine, tmp_path, capsys
):
    data = tmp_path / "enterprises.csv"
    data.write_text(
        "CompanyID,Name,ActiveFrom\n0403170701,Net & Proper NV,2010-01-01\n"
        "0760544138,Glans\x01BV,2015-06-01\n",
        encoding="utf-8",
    )
    url = engine.url.render_as_string(hide_password=False)
    assert main(["import", "enterprises", str(data), "--database", url]) == 2
    error = capsys.readouterr().err
    assert f"{data}: line 3: column 2 (Name): U+0001 is not allowed" in error
    assert "Traceback" not in error
    with reading(engine) as connection:
        assert connection.execute(select(func.count()).select_from(enterprises)).scalar() == 0


def test_a_username_with_a_control_character_is_refused(sqlite_gateway):
    with (
        pytest.raises(InvalidAccount, match="none a control character"),
        transaction(sqlite_gateway.engine) as connection,
    ):
        accounts.add(
            connection, sqlite_gateway.key, "badge\x01", PASSWORD, "0403170701", "EMPLOYER"
        )
