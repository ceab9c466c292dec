"""Checkin@Work: getPresenceRegistration, searchPresences and cancelPresences through a zeep
client of the RSZ's own WSDL; every answer validates against the RSZ's protocol XSD, and CIaO
and Checkin@Work each see only their own registrations."""

from __future__ import annotations

from datetime import timedelta

import pytest
import zeep

from tests.checkinatwork import NS_ERR, NS_T, RszClient, rsz_errors, rsz_protocol
from tests.conftest import B, RunningGateway
from tests.test_checkinatwork import COMPANY, INSS, TODAY, presence


def register(client: RszClient, *items: dict[str, object]) -> list[int]:
    answers = client.service.registerPresences(PresenceRegistrationRequest=list(items))
    return [a.PresenceRegistration.PresenceRegistrationId for a in answers]


def period(start=TODAY, end=TODAY) -> dict[str, object]:
    return {
        "RegistrationPeriod": [
            {"RegistrationPeriodStartDate": start, "RegistrationPeriodEndDate": end}
        ]
    }


def search(client: RszClient, **criteria: object):
    paging = criteria.pop("paging", None)
    sorting = criteria.pop("sorting", None)
    request = {
        "SearchPresenceRegistrationCriteria": {"RegistrationPeriodList": period(), **criteria}
    }
    if paging:
        request["PaginationProperties"] = paging
    if sorting:
        request["SortingProperties"] = sorting
    answer = client.service.searchPresences(SearchPresenceRequest=request)
    rsz_protocol().assertValid(client.last_answer())
    return answer.PresenceRegistrationList


def test_get_answers_the_presence_with_its_history_and_nothing_for_another_id(gateway):
    client = RszClient(gateway)
    [registered] = register(client, presence(ClientPresenceRegistrationReference="r-1"))
    answer = client.service.getPresenceRegistration(
        GetPresenceRegistrationRequest={"PresenceRegistrationId": registered}
    )
    rsz_protocol().assertValid(client.last_answer())
    found = answer.GetPresenceRegistrationType.PresenceRegistrationType
    assert found.PresenceRegistrationId == registered
    assert found.PresenceRegistrationConsultSubmitted.CompanyID == COMPANY
    assert found.PresenceRegistrationConsultSubmitted.ClientPresenceRegistrationReference == "r-1"
    assert [v.Status for v in found.ValidationHistory.Validation] == ["SUCCESSFULLY REGISTERED"]

    nothing = client.service.getPresenceRegistration(
        GetPresenceRegistrationRequest={"PresenceRegistrationId": registered + 1000}
    )
    raw = client.last_answer()
    rsz_protocol().assertValid(raw)
    assert nothing.GetPresenceRegistrationType is None  # zeep's reading of an empty element
    [empty] = raw.iter(f"{{{NS_T}}}GetPresenceRegistrationType")
    assert len(empty) == 0


def test_a_presence_is_not_a_ciao_registration_and_the_reverse(gateway):
    [presence_id] = register(RszClient(gateway), presence())
    ciao = gateway.client()
    with pytest.raises(zeep.exceptions.Fault) as raised:
        ciao.service.getPresenceRegistration(PresenceRegistrationId=presence_id)
    assert raised.value.code.endswith("Client.RegistrationNotFound")
    found = ciao.service.searchPresences(
        RegistrationPeriodList={"RegistrationPeriod": [{"StartDate": TODAY, "EndDate": TODAY}]}
    )
    assert found.PresenceRegistrationResultCount == 0


def test_a_presence_cannot_be_corrected_on_the_ciao_service(gateway):
    [presence_id] = register(RszClient(gateway), presence())
    with pytest.raises(zeep.exceptions.Fault) as raised:
        gateway.client().service.requestCorrection(
            PresenceRegistrationId=presence_id,
            CorrectionType="WRONG_WORKPLACE_ID",
            ProposedValue="DW2026000002",
            Motivation="The site's number was typed wrong.",
        )
    assert raised.value.code.endswith("Client.RegistrationNotFound")


def test_search_pages_and_sorts_presences_as_asked(gateway):
    client = RszClient(gateway)
    ids = register(
        client,
        *(presence(WorkPlaceId=f"DW202600000{n}") for n in (3, 1, 2)),
        presence(RegistrationDate=TODAY + timedelta(days=1)),
    )
    everything = search(client)
    assert everything.PresenceRegistrationResultCount == 3
    assert [p.PresenceRegistrationId for p in everything.PresenceRegistration] == ids[:3]
    by_place = search(
        client,
        sorting={"SortDirection": "DESCENDING", "SortCriteria": "PLACE OF WORK"},
        paging={"FirstRow": 1, "FetchSize": 1},
    )
    assert by_place.PresenceRegistrationResultCount == 3
    [second] = by_place.PresenceRegistration
    assert second.PresenceRegistrationConsultSubmitted.WorkPlaceId == "DW2026000002"
    assert search(client, WorkPlaceId="DW2026000001", Sector=1).PresenceRegistrationResultCount == 1
    assert search(client, Sector=2).PresenceRegistrationResultCount == 0
    assert search(client, INSS=INSS, CompanyID=COMPANY).PresenceRegistrationResultCount == 3
    assert (
        search(
            client, StatusList={"Status": ["SUCCESSFULLY CANCELLED"]}
        ).PresenceRegistrationResultCount
        == 0
    )
    assert (
        search(
            client, RemarkList={"Remark": ["GIVEN INSS IS NOT THE FOUNDER OF THE COMPANY"]}
        ).PresenceRegistrationResultCount
        == 0
    )


def test_search_of_31_periods_is_taken_and_a_backwards_period_is_a_content_fault(gateway):
    client = RszClient(gateway)
    register(client, presence())
    days = [TODAY - timedelta(days=n) for n in range(31)]
    periods = {
        "RegistrationPeriod": [
            {"RegistrationPeriodStartDate": d, "RegistrationPeriodEndDate": d} for d in days
        ]
    }
    answer = client.service.searchPresences(
        SearchPresenceRequest={
            "SearchPresenceRegistrationCriteria": {"RegistrationPeriodList": periods}
        }
    )
    assert answer.PresenceRegistrationList.PresenceRegistrationResultCount == 1
    with pytest.raises(zeep.exceptions.Fault) as raised:
        client.service.searchPresences(
            SearchPresenceRequest={
                "SearchPresenceRegistrationCriteria": {
                    "RegistrationPeriodList": period(TODAY, TODAY - timedelta(days=1))
                }
            }
        )
    detail = raised.value.detail[0]
    rsz_errors().assertValid(detail)
    assert detail.findtext(f"{{{NS_ERR}}}Code") == "SOA-03007"


def test_cancel_answers_each_presence_with_the_v1_codes(gateway: RunningGateway):
    client = RszClient(gateway)
    mine, other = register(client, presence(), presence(WorkPlaceId="DW2026000009"))
    gateway.add_account("b-system", company=B)
    [theirs] = register(RszClient(gateway, "b-system"), presence(CompanyID=int(B)))
    ciao = (
        gateway.client()
        .service.registerPresences(
            PresenceRegistrationRequest=[
                {
                    "INSS": INSS,
                    "CompanyID": "0403170701",
                    "WorkPlaceId": "DW2026000001",
                    "RegistrationType": "CHECK_IN",
                    "RegistrationDateTime": gateway_now(),
                    "RegistrationMeans": "BADGE",
                }
            ]
        )[0]
        .PresenceRegistration.PresenceRegistrationId
    )

    def cancel(registration_id: int, reason: str = "HOLIDAY"):
        return {"PresenceRegistrationId": registration_id, "CancellationReason": reason}

    answers = client.service.cancelPresences(
        CancelPresenceRequest=[
            cancel(mine),
            cancel(mine),
            cancel(theirs),
            cancel(99999),
            cancel(ciao),
            cancel(other, "BORED"),
        ]
    )
    rsz_protocol().assertValid(client.last_answer())
    cancelled = answers[0].PresenceRegistration
    assert cancelled.LastValidation.Status == "SUCCESSFULLY CANCELLED"
    assert [v.Status for v in cancelled.ValidationHistory.Validation][-1] == (
        "SUCCESSFULLY CANCELLED"
    )
    codes = [a.PresenceRegistrationError.ErrorList.Error[0].ErrorCode for a in answers[1:]]
    assert codes == ["8", "1", "7", "10", "11"]


def gateway_now():
    from datetime import datetime

    from gateway.domain.workday import BELGIUM

    return datetime.now(BELGIUM) - timedelta(minutes=1)


def test_search_by_creation_time_takes_the_times_as_sent(gateway):
    from datetime import datetime

    from gateway.domain.workday import BELGIUM

    client = RszClient(gateway)
    before = datetime.now(BELGIUM).replace(microsecond=0) - timedelta(seconds=1)
    register(client, presence())
    after = datetime.now(BELGIUM) + timedelta(seconds=1)
    assert search(client, CreationStartDate=before).PresenceRegistrationResultCount == 1
    assert search(client, CreationStartDate=after).PresenceRegistrationResultCount == 0
    assert search(client, CreationEndDate=before).PresenceRegistrationResultCount == 0
    # Without a zone, a time is Belgian time.
    local = after.replace(tzinfo=None)
    assert search(client, CreationEndDate=local).PresenceRegistrationResultCount == 1
    with pytest.raises(zeep.exceptions.Fault) as raised:
        search(client, CreationStartDate=after, CreationEndDate=before)
    assert raised.value.detail[0].findtext(f"{{{NS_ERR}}}Code") == "SOA-03007"


def test_a_presence_is_recorded_under_the_sector_its_declaration_names(gateway):
    from datetime import date

    gateway.admin().service.updateReferenceData(
        Declaration=[
            {
                "WorkPlaceId": "DW2026000555",
                "ContractorCompanyID": "0403170701",
                "ValidFrom": date(2026, 1, 1),
                "SubjectToRegistration": True,
                "Sector": 2,
            }
        ]
    )
    client = RszClient(gateway)
    answers = client.service.registerPresences(
        PresenceRegistrationRequest=[presence(WorkPlaceId="DW2026000555"), presence()]
    )
    assert [a.PresenceRegistration.Sector for a in answers] == [2, 1]
    guarding = search(client, Sector=2)
    assert guarding.PresenceRegistrationResultCount == 1
    assert guarding.PresenceRegistration[0].Sector == 2


def test_a_declarations_file_names_the_sector_of_its_sites(tmp_path):
    from gateway.domain.registration import Sector
    from gateway.imports import ImportFileError, read

    good = tmp_path / "declarations.csv"
    good.write_text(
        "WorkPlaceId,ContractorCompanyID,ValidFrom,SubjectToRegistration,Sector\n"
        "DW2026000556,0403170701,2026-01-01,true,3\n"
    )
    [declaration] = read("declarations", good).declarations
    assert declaration.sector is Sector.MEAT
    bad = tmp_path / "bad.csv"
    bad.write_text(good.read_text().replace(",3\n", ",4\n"))
    with pytest.raises(ImportFileError, match=r"line 2: column \d+ \(Sector\)"):
        read("declarations", bad)


SORT_KEYS = {
    "ID": lambda p: p.PresenceRegistrationId,
    "REGISTRATION DATE": lambda p: p.PresenceRegistrationConsultSubmitted.RegistrationDate,
    "CREATION DATE": lambda p: p.CreationDate,
    "STATUS": lambda p: p.LastValidation.Status,
    "PLACE OF WORK": lambda p: p.PresenceRegistrationConsultSubmitted.WorkPlaceId,
    "COMPANY ID": lambda p: p.PresenceRegistrationConsultSubmitted.CompanyID,
    "CHANNEL": lambda p: p.Channel,
    "SENDER ID": lambda p: p.Sender.SenderId,
}


@pytest.mark.parametrize("direction", ["ASCENDING", "DESCENDING"])
def test_every_sort_key_of_the_v1_contract_orders_the_page(gateway, direction):
    gateway.admin()  # the operator, who sees every presence
    gateway.add_account("b-system", company=B)
    ids = register(
        RszClient(gateway),
        presence(WorkPlaceId="DW2026000007"),
        presence(WorkPlaceId="DW2026000003", RegistrationDate=TODAY + timedelta(days=1)),
    )
    ids += register(RszClient(gateway, "b-system"), presence(CompanyID=int(B)))
    RszClient(gateway).service.cancelPresences(
        CancelPresenceRequest=[{"PresenceRegistrationId": ids[0], "CancellationReason": "PLANNING"}]
    )
    operator = RszClient(gateway, "rsz-operator")
    days = period(TODAY, TODAY + timedelta(days=1))
    for key, value in SORT_KEYS.items():
        answer = operator.service.searchPresences(
            SearchPresenceRequest={
                "SearchPresenceRegistrationCriteria": {"RegistrationPeriodList": days},
                "SortingProperties": {"SortDirection": direction, "SortCriteria": key},
            }
        )
        rsz_protocol().assertValid(operator.last_answer())
        found = answer.PresenceRegistrationList.PresenceRegistration
        assert len(found) == 3
        descending = direction == "DESCENDING"
        expected = sorted(
            found, key=lambda p: (value(p), p.PresenceRegistrationId), reverse=descending
        )
        assert [p.PresenceRegistrationId for p in found] == [
            p.PresenceRegistrationId for p in expected
        ], key


def test_a_page_holds_at_most_500_presences_whatever_is_asked(sqlite_gateway):
    client = RszClient(sqlite_gateway)
    for batch in range(3):
        register(
            client,
            *(presence(ClientPresenceRegistrationReference=f"r-{batch}-{n}") for n in range(200)),
        )
    found = search(client, paging={"FirstRow": 0, "FetchSize": 1000})
    assert found.PresenceRegistrationResultCount == 600
    assert len(found.PresenceRegistration) == 500
    rest = search(client, paging={"FirstRow": 500, "FetchSize": 500})
    assert len(rest.PresenceRegistration) == 100
