"""exportPresences and ``ciao-gateway export``: at most 100 days, the same visibility as
search, CSV or XML."""

from __future__ import annotations

import base64
import csv
import io
from datetime import timedelta

import pytest
import zeep
from lxml import etree

from gateway.cli import main
from gateway.xml.contract import SCHEMA_DIR
from tests.conftest import DAY, A, B, C
from tests.soap import NS


def export(gateway, username: str, **options):  # type: ignore[no-untyped-def]
    values = {"StartDate": DAY, "EndDate": DAY, "Format": "CSV"}
    values.update(options)
    return gateway.client(username).service.exportPresences(**values)


def csv_rows(answer) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert answer.Format == "CSV"
    return list(csv.DictReader(io.StringIO(answer.Content.decode())))


def test_a_csv_export_follows_the_visibility_of_the_chain(gateway, chain):
    answer = export(gateway, "b-system")
    assert answer.FileName == f"presences-{DAY}-{DAY}.csv"
    rows = csv_rows(answer)
    assert {row["CompanyID"] for row in rows} == {B, C}
    assert sorted(int(row["PresenceRegistrationId"]) for row in rows) == sorted(chain[B] + chain[C])
    assert rows[0]["Status"] == "SUCCESSFULLY REGISTERED"
    assert csv_rows(export(gateway, "d-system")) == []
    assert len(csv_rows(export(gateway, "badge-system", CompanyID=C))) == 2


def test_an_xml_export_is_valid_against_the_published_schema(gateway, chain):
    answer = export(gateway, "badge-system", Format="XML")
    document = etree.fromstring(answer.Content)
    schema = etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "PresenceRegistrationTypes_v1.xsd")))
    schema.assertValid(document)
    assert len(document) == 6
    assert {e.findtext(".//{*}CompanyID") for e in document} == {A, B, C}


def test_100_days_are_exported_and_101_refused(gateway, chain):
    start = DAY - timedelta(days=99)
    assert len(csv_rows(export(gateway, "badge-system", StartDate=start))) == 6
    with pytest.raises(zeep.exceptions.Fault) as raised:
        export(gateway, "badge-system", StartDate=start - timedelta(days=1))
    assert raised.value.detail[0].findtext("e:Code", namespaces=NS) == "Client.ExportRefused"
    assert "101 calendar days" in raised.value.message


def test_an_export_of_days_with_a_time_zone_is_of_those_days(gateway, chain):
    answer = export(gateway, "badge-system", StartDate=f"{DAY}+01:00", EndDate=f"{DAY}Z")
    assert answer.FileName == f"presences-{DAY}-{DAY}.csv"
    assert len(csv_rows(answer)) == 6


def test_the_export_command_writes_the_file_for_operators(gateway, chain, tmp_path, capsys):
    output = tmp_path / "out.csv"
    url = gateway.engine.url.render_as_string(hide_password=False)
    code = main(
        [
            "export",
            "--from",
            str(DAY),
            "--to",
            str(DAY + timedelta(days=3)),
            "--database",
            url,
            "--output",
            str(output),
        ]
    )
    assert code == 0
    rows = list(csv.DictReader(output.open()))
    assert len(rows) == 6
    assert "exported 6 registrations" in capsys.readouterr().out
    assert (
        main(
            [
                "export",
                "--from",
                "2026-01-01",
                "--to",
                "2026-04-11",
                "--database",
                url,
                "--output",
                str(output),
            ]
        )
        == 2
    )
    assert "at most 100" in capsys.readouterr().err
    nowhere = tmp_path / "missing" / "out.csv"
    arguments = ["export", "--from", str(DAY), "--to", str(DAY), "--database", url]
    assert main([*arguments, "--output", str(nowhere)]) == 1
    assert capsys.readouterr().err.strip().endswith(f"{nowhere}: No such file or directory")


def test_base64_streaming_keeps_every_byte():
    from gateway.xml.export import base64_chunks

    data = [bytes([i % 251]) * (i % 7 + 1) for i in range(500)]
    joined = b"".join(base64_chunks(data))
    assert base64.b64decode(joined) == b"".join(data)
