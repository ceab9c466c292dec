"""What an operator and an employer see of Checkin@Work presences: they appear in the
management pages and in the exports of every contract beside CIaO registrations, each marked
with its contract and sector, while CIaO's own exportPresences keeps to CIaO; the demo data
set has some, with remarks."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from gateway.cli import main
from gateway.demo import enterprise_number, presences, reference_data, today
from gateway.domain.identity import Account, Role
from gateway.domain.workday import BELGIUM
from gateway.services import presences as presence_service
from gateway.services import reference
from gateway.services.checking import CheckWorker
from storage.database import reading, transaction
from tests.checkinatwork import RszClient
from tests.test_checkinatwork import presence
from tests.test_pages_management import logged_in, site  # noqa: F401 (the fixture)
from tests.web import CONTRACTOR, WORKER, WORKPLACE

PRESENCE_LABEL = "Presence for the day (Checkin@Work), construction"


def register_presence(gateway) -> int:  # type: ignore[no-untyped-def]
    answers = RszClient(gateway).service.registerPresences(
        PresenceRegistrationRequest=[
            presence(INSS=WORKER, CompanyID=int(CONTRACTOR), WorkPlaceId=WORKPLACE)
        ]
    )
    return int(answers[0].PresenceRegistration.PresenceRegistrationId)


def test_the_pages_list_and_export_presences_marked_with_contract_and_sector(site):  # noqa: F811
    presence_id = register_presence(site)
    browser = logged_in(site, "badge-system")
    page = browser.get("/manage/registrations")
    rows = {int(r[0]): r for r in (row.split("\t") for row in _rows(page))}
    assert presence_id in rows and site.ids[CONTRACTOR] in rows
    assert rows[presence_id][2] == PRESENCE_LABEL
    detail = browser.get(f"/manage/registrations/{presence_id}")
    assert detail.status == 200
    assert PRESENCE_LABEL in detail.body.decode()

    day = datetime.now(BELGIUM).date()
    answer = browser.get(f"/manage/export?from={day - timedelta(days=1)}&to={day}")
    exported = {
        int(r["PresenceRegistrationId"]): (r["Contract"], r["Sector"])
        for r in csv.DictReader(io.StringIO(answer.body.decode()))
    }
    assert exported[presence_id] == ("CHECKINATWORK", "1")
    assert exported[site.ids[CONTRACTOR]] == ("CIAO", "")


def _rows(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        "\t".join(cell.text_content().strip() for cell in row.cssselect("td"))
        for row in page.html.cssselect("tbody tr")
    ]


def test_the_operators_csv_export_marks_presences_and_ciaos_export_leaves_them_out(
    site,  # noqa: F811
    tmp_path,
):
    presence_id = register_presence(site)
    day = datetime.now(BELGIUM).date()
    output = tmp_path / "out.csv"
    url = site.engine.url.render_as_string(hide_password=False)
    code = main(
        [
            "export",
            "--from",
            str(day - timedelta(days=1)),
            "--to",
            str(day),
            "--database",
            url,
            "--output",
            str(output),
        ]
    )
    assert code == 0
    rows = {int(r["PresenceRegistrationId"]): r for r in csv.DictReader(output.open())}
    assert (rows[presence_id]["Contract"], rows[presence_id]["Sector"]) == ("CHECKINATWORK", "1")
    assert rows[presence_id]["RegistrationType"] == "PRESENCE"

    ciao = site.client().service.exportPresences(
        StartDate=day - timedelta(days=1), EndDate=day, Format="CSV"
    )
    exported = list(csv.DictReader(io.StringIO(ciao.Content.decode())))
    assert presence_id not in {int(r["PresenceRegistrationId"]) for r in exported}
    assert "Contract" not in exported[0]


def test_the_demo_data_has_presences_and_some_get_remarks(engine):
    employer = enterprise_number(1)
    data = reference_data(employer)
    demo = Account("demo", employer, Role.EMPLOYER)
    now = datetime.now(UTC)
    with transaction(engine) as connection:
        reference.apply(connection, data, now)
        answers = presence_service.register(connection, demo, presences(data, today()), now)
    assert all(hasattr(a, "id") for a in answers), "every demo presence is accepted"
    while CheckWorker(engine).run_once():
        pass
    with reading(engine) as connection:
        found = [presence_service.get(connection, demo, a.id) for a in answers]  # type: ignore[union-attr]
    texts = {r.description for f in found if f is not None for r in f.last_validation.remarks}
    assert {
        "DUC IS NOT EXISTING",
        "NISS IS NOT KNOW IN THE NATIONAL REGISTER",
        "SAME DECLARATION HAS ALREADY BEEN REGISTERED",
    } <= texts
    assert any(f is not None and not f.last_validation.remarks for f in found)
