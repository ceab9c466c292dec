"""Reference data: the operator service, the bulk import, and who may use them."""

from __future__ import annotations

from datetime import date

import pytest
import zeep
from sqlalchemy import func, select
from zeep.wsse.username import UsernameToken

from gateway.cli import main
from storage.tables import check_queue, declaration_chain, employments, enterprises
from tests.conftest import DATA, PASSWORD
from tests.soap import NS

REFERENCE = DATA / "reference"


def count(engine, table) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_an_employer_is_refused_on_the_administration_service(gateway):
    url = gateway.url.replace("/PresenceRegistration/v1", "/Administration/v1") + "?wsdl"
    client = zeep.Client(
        url, settings=zeep.Settings(strict=True), wsse=UsernameToken("badge-system", PASSWORD)
    )
    with pytest.raises(zeep.exceptions.Fault) as raised:
        client.service.updateReferenceData(
            Enterprise=[{"CompanyID": "0403170701", "Name": "X", "ActiveFrom": date(2020, 1, 1)}]
        )
    assert raised.value.detail[0].findtext("e:Code", namespaces=NS) == "Client.Forbidden"
    assert count(gateway.engine, enterprises) == 0


def test_an_operator_stores_reference_data_and_a_declaration_replaces_its_chain(gateway):
    admin = gateway.admin()
    declaration = {
        "WorkPlaceId": "DW1",
        "ContractorCompanyID": "0403170701",
        "ValidFrom": date(2026, 1, 1),
        "SubjectToRegistration": True,
        "Subcontractor": [{"CompanyID": "0760544138", "ParentCompanyID": "0403170701"}],
    }
    answer = admin.service.updateReferenceData(
        Enterprise=[{"CompanyID": "0403170701", "Name": "A", "ActiveFrom": date(2020, 1, 1)}],
        Declaration=[declaration],
    )
    assert (answer.EntriesStored, answer.WorkerDaysQueued) == (2, 0)
    assert count(gateway.engine, declaration_chain) == 2  # contractor and subcontractor
    admin.service.updateReferenceData(Declaration=[dict(declaration, Subcontractor=[])])
    assert count(gateway.engine, declaration_chain) == 1


def test_validity_dates_with_a_time_zone_are_their_days(gateway):
    gateway.admin().service.updateReferenceData(
        Enterprise=[
            {
                "CompanyID": "0403170701",
                "Name": "A",
                "ActiveFrom": "2020-01-01+01:00",
                "ActiveUntil": "9999-12-31Z",
            }
        ]
    )
    with gateway.engine.connect() as connection:
        stored = connection.execute(select(enterprises.c.active_from, enterprises.c.active_until))
        assert stored.one() == (date(2020, 1, 1), date(9999, 12, 31))


def test_a_schema_invalid_update_is_refused_with_its_errors(gateway):
    admin = gateway.admin()
    with pytest.raises(zeep.exceptions.ValidationError):
        admin.service.updateReferenceData(Enterprise=[{"CompanyID": "0403170701"}])


def test_an_impossible_update_is_refused_whole_naming_each_entry(gateway):
    declaration = {
        "ContractorCompanyID": "0403170701",
        "ValidFrom": date(2026, 1, 1),
        "SubjectToRegistration": True,
    }
    link = {"CompanyID": "0760544138", "ParentCompanyID": "0403170701"}
    with pytest.raises(zeep.exceptions.Fault) as raised:
        gateway.admin().service.updateReferenceData(
            Enterprise=[
                {
                    "CompanyID": "0403170701",
                    "Name": "A",
                    "ActiveFrom": date(2026, 1, 1),
                    "ActiveUntil": date(2025, 12, 31),
                }
            ],
            Declaration=[
                dict(declaration, WorkPlaceId="DW1", Subcontractor=[link, link]),
                dict(
                    declaration,
                    WorkPlaceId="DW2",
                    Subcontractor=[{"CompanyID": "0403170701", "ParentCompanyID": "0760544138"}],
                ),
                dict(
                    declaration,
                    WorkPlaceId="DW3",
                    Subcontractor=[{"CompanyID": "0760544138", "ParentCompanyID": "0999999999"}],
                ),
                dict(declaration, WorkPlaceId="DW4", TakesOver="DW4"),
            ],
        )
    detail = raised.value.detail[0]
    assert detail.findtext("e:Code", namespaces=NS) == "Client.ReferenceDataRefused"
    assert [m.text for m in detail.findall("e:Message", namespaces=NS)] == [
        "Enterprise 0403170701: ActiveUntil 2025-12-31 is before ActiveFrom 2026-01-01",
        "Declaration DW1: subcontractor 0760544138 is listed twice",
        "Declaration DW2: the contractor 0403170701 is also listed as a subcontractor",
        "Declaration DW3: subcontractor 0760544138's ParentCompanyID 0999999999 does not lead "
        "to the contractor 0403170701",
        "Declaration DW4: it takes over itself",
    ]
    assert count(gateway.engine, enterprises) == 0
    assert count(gateway.engine, declaration_chain) == 0


def import_file(engine, kind: str, name: str) -> int:  # type: ignore[no-untyped-def]
    return main(
        [
            "import",
            kind,
            str(REFERENCE / name),
            "--database",
            engine.url.render_as_string(hide_password=False),
        ]
    )


def test_csv_files_import_with_a_summary_and_no_progress_bar_in_a_log(engine, capsys):
    assert import_file(engine, "enterprises", "enterprises.csv") == 0
    assert import_file(engine, "declarations", "declarations.csv") == 0
    captured = capsys.readouterr()
    assert "imported 3 enterprises" in captured.out
    assert "imported 2 declarations" in captured.out
    # stderr is not a terminal: no fragments of a progress bar
    assert "checking enterprises.csv" not in captured.err
    assert "checking declarations.csv" not in captured.err
    assert count(engine, enterprises) == 3
    assert count(engine, declaration_chain) == 3


def test_a_bad_row_names_file_line_and_column_and_nothing_is_imported(engine, capsys):
    assert import_file(engine, "employments", "bad_employments.csv") == 2
    error = capsys.readouterr().err
    assert "bad_employments.csv: line 3: column 3 (ValidFrom):" in error
    assert "2020-13-01" in error
    assert count(engine, employments) == 0


def test_an_impossible_file_names_file_and_entry_and_nothing_is_imported(engine, capsys):
    assert import_file(engine, "declarations", "impossible_declarations.csv") == 2
    error = capsys.readouterr().err
    assert (
        "impossible_declarations.csv: Declaration DW2026000002: subcontractor 0760544138 is "
        "listed twice"
    ) in error
    assert "Traceback" not in error
    assert count(engine, declaration_chain) == 0


def test_an_import_queues_the_days_that_depend_on_it(checking, capsys):
    client = checking.client()
    client.service.registerPresences(
        PresenceRegistrationRequest=[
            {
                "INSS": "85073003328",
                "CompanyID": "0873909226",
                "WorkPlaceId": "DW2026000002",
                "RegistrationType": "CHECK_IN",
                "RegistrationDateTime": "2026-11-20T08:00:00+01:00",
                "RegistrationMeans": "BADGE",
                "EmergencyProcedure": True,
            }
        ]
    )
    checking_url = checking.engine.url.render_as_string(hide_password=False)
    assert (
        main(
            [
                "import",
                "enterprises",
                str(REFERENCE / "enterprises.csv"),
                "--database",
                checking_url,
            ]
        )
        == 0
    )
    assert "1 worker days queued" in capsys.readouterr().out
    assert count(checking.engine, check_queue) <= 1
