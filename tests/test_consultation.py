"""Consultation of the subcontracting chain: A declares the works, B subcontracts under A, C
under B; D is an outsider. Who sees and cancels what, through searchPresences,
getPresenceRegistration and cancelPresences."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import zeep

from tests.builders import BRUSSELS_WINTER, registration
from tests.conftest import DAY, WORKERS, A, B, C
from tests.soap import NS, envelope, post
from tests.test_remarks import remarks_once_checked


def search(gateway, username: str, **criteria):  # type: ignore[no-untyped-def]
    criteria.setdefault(
        "RegistrationPeriodList", {"RegistrationPeriod": [{"StartDate": DAY, "EndDate": DAY}]}
    )
    return gateway.client(username).service.searchPresences(**criteria)


def companies_seen(gateway, username: str) -> set[str]:
    found = search(gateway, username).PresenceRegistration
    return {r.PresenceRegistrationSubmitted.CompanyID for r in found}


def test_each_enterprise_sees_itself_and_the_chain_below_it_and_no_more(gateway, chain):
    assert companies_seen(gateway, "badge-system") == {A, B, C}
    assert companies_seen(gateway, "b-system") == {B, C}
    assert companies_seen(gateway, "c-system") == {C}
    assert companies_seen(gateway, "d-system") == set()
    gateway.admin()  # creates the operator account
    assert companies_seen(gateway, "rsz-operator") == {A, B, C}


def test_getting_one_registration_follows_the_same_rule(gateway, chain):
    of_c, of_a = chain[C][0], chain[A][0]
    assert (
        gateway.client("b-system")
        .service.getPresenceRegistration(PresenceRegistrationId=of_c)
        .PresenceRegistrationId
        == of_c
    )
    for username, registration_id in (("c-system", of_a), ("d-system", of_c)):
        with pytest.raises(zeep.exceptions.Fault) as raised:
            gateway.client(username).service.getPresenceRegistration(
                PresenceRegistrationId=registration_id
            )
        assert raised.value.detail[0].findtext("e:Code", namespaces=NS) == (
            "Client.RegistrationNotFound"
        )


def test_what_an_enterprise_sent_for_another_is_visible_to_it(gateway, chain):
    gateway.client("d-system").service.registerPresences(
        PresenceRegistrationRequest=[
            registration(
                INSS=WORKERS[C],
                CompanyID=C,
                EmergencyProcedure=True,
                RegistrationDateTime=datetime.combine(DAY, time(18), BRUSSELS_WINTER),
            )
        ]
    )
    assert companies_seen(gateway, "d-system") == {C}


def test_cancelling_within_the_chain_only(gateway, chain):
    answers = gateway.client("b-system").service.cancelPresences(
        CancelPresenceRequest=[
            {"PresenceRegistrationId": chain[C][0], "CancellationReason": "PLANNING"},
            {"PresenceRegistrationId": chain[A][0], "CancellationReason": "PLANNING"},
        ]
    )
    cancelled, refused = answers
    assert cancelled.PresenceRegistration.LastValidation.Status == "SUCCESSFULLY CANCELLED"
    assert refused.CancelPresenceError.ErrorList.Error[0].ErrorCode == (
        "PRESENCE_REGISTRATION_NOT_FOUND"
    )
    again = gateway.client("badge-system").service.cancelPresences(
        CancelPresenceRequest=[
            {"PresenceRegistrationId": chain[C][0], "CancellationReason": "OTHER"}
        ]
    )
    assert again[0].CancelPresenceError.ErrorList.Error[0].ErrorCode == "ALREADY_CANCELLED"
    outsider = gateway.client("d-system").service.cancelPresences(
        CancelPresenceRequest=[
            {"PresenceRegistrationId": chain[A][1], "CancellationReason": "OTHER"}
        ]
    )
    assert outsider[0].CancelPresenceError is not None
    history = (
        gateway.client("c-system")
        .service.getPresenceRegistration(PresenceRegistrationId=chain[C][0])
        .ValidationHistory.Validation
    )
    assert [v.Status for v in history] == ["SUCCESSFULLY REGISTERED", "SUCCESSFULLY CANCELLED"]


def test_a_cancelled_check_in_leaves_its_check_out_alone_at_the_next_check(checking, chain):
    before = remarks_once_checked(checking, chain[A][1])
    assert "CHECK_OUT_WITHOUT_CHECK_IN" not in before
    checking.client("badge-system").service.cancelPresences(
        CancelPresenceRequest=[
            {"PresenceRegistrationId": chain[A][0], "CancellationReason": "OTHER"}
        ]
    )
    after = remarks_once_checked(checking, chain[A][1], unless=tuple(before))
    assert "CHECK_OUT_WITHOUT_CHECK_IN" in after


def test_search_counts_pages_and_sorts(gateway, chain):
    page = search(
        gateway,
        "badge-system",
        PaginationProperties={"FirstRow": 2, "FetchSize": 3},
        SortingProperties={"SortDirection": "DESCENDING", "SortCriteria": "ID"},
    )
    assert page.PresenceRegistrationResultCount == 6
    ids = sorted((i for pair in chain.values() for i in pair), reverse=True)
    assert [r.PresenceRegistrationId for r in page.PresenceRegistration] == ids[2:5]
    assert page.SearchPresencesRequest.PaginationProperties.FetchSize == 3
    by_company = search(gateway, "badge-system", SortingProperties={"SortCriteria": "COMPANY ID"})
    companies = [r.PresenceRegistrationSubmitted.CompanyID for r in by_company.PresenceRegistration]
    assert companies == sorted(companies)


def test_search_filters_by_worker_company_workplace_status_and_period(gateway, chain):
    assert search(gateway, "badge-system", INSS=WORKERS[B]).PresenceRegistrationResultCount == 2
    assert search(gateway, "badge-system", CompanyID=C).PresenceRegistrationResultCount == 2
    assert search(gateway, "badge-system", WorkPlaceId="DW9").PresenceRegistrationResultCount == 0
    assert (
        search(
            gateway, "badge-system", StatusList={"Status": ["VALIDATED"]}
        ).PresenceRegistrationResultCount
        == 0
    )
    other_day = {
        "RegistrationPeriod": [
            {"StartDate": DAY + timedelta(days=1), "EndDate": DAY + timedelta(days=10)}
        ]
    }
    assert (
        search(
            gateway, "badge-system", RegistrationPeriodList=other_day
        ).PresenceRegistrationResultCount
        == 0
    )


def test_a_date_with_a_time_zone_is_its_day(gateway, chain):
    """JAXB and other stacks write an xs:date with the zone of the calendar they hold."""
    for start, end in ((f"{DAY}Z", f"{DAY}+01:00"), (f"{DAY}-05:00", f"{DAY}+14:00")):
        found = search(
            gateway,
            "badge-system",
            RegistrationPeriodList={"RegistrationPeriod": [{"StartDate": start, "EndDate": end}]},
            CreationStartDate=f"{DAY - timedelta(days=400)}Z",
        )
        assert found.PresenceRegistrationResultCount == 6


def test_the_first_and_last_days_a_date_can_hold_bound_nothing(gateway, chain):
    """Their edges in UTC are outside what a time can hold: as bounds they mean none."""
    widest = search(
        gateway, "badge-system", CreationStartDate="0001-01-01", CreationEndDate="9999-12-31"
    )
    assert widest.PresenceRegistrationResultCount == 6
    periods = {
        "RegistrationPeriod": [
            {"StartDate": DAY, "EndDate": "9999-12-31"},
            {"StartDate": DAY + timedelta(days=1), "EndDate": DAY + timedelta(days=2)},
        ]
    }
    assert (
        search(
            gateway, "badge-system", RegistrationPeriodList=periods
        ).PresenceRegistrationResultCount
        == 6
    )


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        (
            "<RegistrationPeriod><StartDate>2026-01-01</StartDate><EndDate>2026-01-01</EndDate>"
            "</RegistrationPeriod><RegistrationPeriod><StartDate>2026-01-05</StartDate>"
            "<EndDate>2026-01-02</EndDate></RegistrationPeriod></RegistrationPeriodList>",
            "RegistrationPeriod 2 ends on 2026-01-02, before it starts (2026-01-05).",
        ),
        (
            "<RegistrationPeriod><StartDate>2026-01-01</StartDate><EndDate>2026-01-02</EndDate>"
            "</RegistrationPeriod></RegistrationPeriodList><CreationStartDate>2026-01-03"
            "</CreationStartDate><CreationEndDate>2026-01-02</CreationEndDate>",
            "CreationEndDate 2026-01-02 is before CreationStartDate 2026-01-03.",
        ),
    ],
    ids=["registration period", "creation dates"],
)
def test_a_period_that_ends_before_it_starts_is_refused_by_name(gateway, criteria, message):
    body = (
        '<SearchPresencesRequest xmlns="urn:ciao:presenceregistration:schemas:v1">'
        f"<RegistrationPeriodList>{criteria}</SearchPresencesRequest>"
    )
    reply = post(gateway.url, envelope(body))
    assert reply.error_code == "Client.SearchRefused"
    assert reply.messages == [message]


@pytest.mark.parametrize("year", ["10000", "-0001", "0000", "226"])
def test_a_date_whose_year_is_not_four_digits_is_refused_by_the_schema(gateway, year):
    body = (
        '<SearchPresencesRequest xmlns="urn:ciao:presenceregistration:schemas:v1">'
        "<RegistrationPeriodList><RegistrationPeriod><StartDate>2026-01-01</StartDate>"
        f"<EndDate>2026-01-02</EndDate></RegistrationPeriod></RegistrationPeriodList>"
        f"<CreationStartDate>{year}-01-01</CreationStartDate></SearchPresencesRequest>"
    )
    reply = post(gateway.url, envelope(body))
    assert reply.error_code == "Client.SchemaValidation"
    assert "CreationStartDate" in reply.messages[0]


@pytest.mark.parametrize("username", ["badge-system", "b-system", "c-system", "d-system"])
def test_everything_an_enterprise_may_see_is_counted_and_paged_alike(gateway, chain, username):
    """Everything an enterprise may see is gathered as ids by visibility (storage.consultation)
    for the count and for the pages alike: both hold what it may see, also what it sent for
    another's workers, with a filter, and over periods that overlap."""
    test_what_an_enterprise_sent_for_another_is_visible_to_it(gateway, chain)
    # The chain's 6, 4 and 2, and the one D sent for a worker of C.
    every = {"badge-system": 7, "b-system": 5, "c-system": 3, "d-system": 1}[username]
    twice = {"RegistrationPeriod": [{"StartDate": DAY, "EndDate": DAY}] * 2}
    for criteria, expected in (
        ({}, every),
        ({"StatusList": {"Status": ["SUCCESSFULLY REGISTERED"]}}, every),
        ({"StatusList": {"Status": ["VALIDATED"]}}, 0),
        ({"RegistrationPeriodList": twice}, every),
        ({"CreationStartDate": DAY - timedelta(days=400)}, every),
        ({"CreationEndDate": DAY - timedelta(days=400)}, 0),
    ):
        found = search(gateway, username, PaginationProperties={"FetchSize": 500}, **criteria)
        assert found.PresenceRegistrationResultCount == expected, criteria
        assert len(found.PresenceRegistration) == expected, criteria


def test_search_by_remark_code(checking, chain):
    for pair in chain.values():
        for registration_id in pair:
            remarks_once_checked(checking, registration_id)
    remarks_once_checked(checking, chain[C][0])
    found = search(checking, "badge-system", RemarkList={"Remark": ["INSS_UNKNOWN"]})
    assert found.PresenceRegistrationResultCount == 6  # no person is in the national register
    assert (
        search(
            checking, "badge-system", RemarkList={"Remark": ["DUPLICATE"]}
        ).PresenceRegistrationResultCount
        == 0
    )


def test_more_than_31_periods_or_500_a_page_is_refused(gateway):
    periods = "".join(
        f"<RegistrationPeriod><StartDate>2026-01-{d:02d}</StartDate><EndDate>2026-01-{d:02d}"
        "</EndDate></RegistrationPeriod>"
        for d in range(1, 32)
    )
    body = (
        '<SearchPresencesRequest xmlns="urn:ciao:presenceregistration:schemas:v1">'
        f"<RegistrationPeriodList>{periods}%s</RegistrationPeriodList>%s"
        "</SearchPresencesRequest>"
    )
    extra_period = (
        "<RegistrationPeriod><StartDate>2026-02-01</StartDate><EndDate>2026-02-01"
        "</EndDate></RegistrationPeriod>"
    )
    big_page = "<PaginationProperties><FetchSize>501</FetchSize></PaginationProperties>"
    assert post(gateway.url, envelope(body % ("", ""))).status == 200
    for variant in (body % (extra_period, ""), body % ("", big_page)):
        reply = post(gateway.url, envelope(variant))
        assert reply.error_code == "Client.SchemaValidation"


SORT_KEYS = {
    "ID": lambda r: r.PresenceRegistrationId,
    "REGISTRATION DATE": lambda r: r.PresenceRegistrationSubmitted.RegistrationDateTime,
    "CREATION DATE": lambda r: r.CreationDate,
    "STATUS": lambda r: r.LastValidation.Status,
    "PLACE OF WORK": lambda r: r.PresenceRegistrationSubmitted.WorkPlaceId,
    "COMPANY ID": lambda r: r.PresenceRegistrationSubmitted.CompanyID,
    "CHANNEL": lambda r: r.Channel,
    "SENDER ID": lambda r: r.Sender.SenderId,
}


def test_every_sort_criterion_orders_the_page_both_ways(gateway, chain):
    gateway.client("b-system").service.cancelPresences(
        CancelPresenceRequest=[
            {"PresenceRegistrationId": chain[C][1], "CancellationReason": "OTHER"}
        ]
    )
    for criterion, key in SORT_KEYS.items():
        for direction in ("ASCENDING", "DESCENDING"):
            found = search(
                gateway,
                "badge-system",
                SortingProperties={"SortCriteria": criterion, "SortDirection": direction},
            ).PresenceRegistration
            keys = [(key(r), r.PresenceRegistrationId) for r in found]
            assert keys == sorted(keys, reverse=direction == "DESCENDING"), criterion
