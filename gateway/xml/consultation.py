"""Codec of the consultation operations: search criteria and cancellations from validated
XML, and their answers (registrations written by ``gateway.xml.registrations``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from lxml import etree

from gateway.domain.consultation import Cancellation, ExportRequest, SearchCriteria
from gateway.domain.registration import Status, StoredRegistration
from gateway.xml.contract import NS_TYPES, read_date
from gateway.xml.registrations import escape, response_xml, stored_xml

_PLEN = len(NS_TYPES) + 2


def read_search_request(element: etree._Element) -> SearchCriteria:
    """A validated ``SearchPresencesRequest`` as search criteria (defaults of the XSD applied)."""
    fields: dict[str, etree._Element] = {child.tag[_PLEN:]: child for child in element}

    def text(name: str) -> str | None:
        found = fields.get(name)
        return None if found is None else (found.text or "").strip()

    def day(name: str) -> date | None:
        found = fields.get(name)
        return None if found is None else read_date(found.text)

    periods = tuple(
        (read_date(period[0].text), read_date(period[1].text))
        for period in fields["RegistrationPeriodList"]
    )
    paging = {c.tag[_PLEN:]: (c.text or "").strip() for c in fields.get("PaginationProperties", [])}
    sorting = {c.tag[_PLEN:]: (c.text or "").strip() for c in fields.get("SortingProperties", [])}
    return SearchCriteria(
        periods=periods,
        inss=text("INSS"),
        company_id=text("CompanyID"),
        workplace_id=text("WorkPlaceId"),
        statuses=tuple(Status(s.text.strip()) for s in fields.get("StatusList", [])),
        remark_codes=tuple(r.text.strip() for r in fields.get("RemarkList", [])),
        created_from=day("CreationStartDate"),
        created_until=day("CreationEndDate"),
        first_row=int(paging.get("FirstRow") or 0),
        fetch_size=int(paging.get("FetchSize") or 50),
        sort=sorting.get("SortCriteria") or "ID",
        descending=sorting.get("SortDirection") == "DESCENDING",
    )


def write_search_response(
    request: etree._Element, total: int, found: Iterable[StoredRegistration]
) -> str:
    """The request echoed as it came, the count, and the page of registrations."""
    echo = etree.tostring(request, encoding="unicode")
    return response_xml(
        "SearchPresencesResponse",
        [echo, f"<PresenceRegistrationResultCount>{total}</PresenceRegistrationResultCount>"]
        + [stored_xml(registration, with_history=False) for registration in found],
    )


def read_cancel_request(element: etree._Element) -> list[Cancellation]:
    return [
        Cancellation(int(item[0].text.strip()), (item[1].text or "").strip()) for item in element
    ]


def write_cancel_response(
    answers: Iterable[StoredRegistration | tuple[Cancellation, Any]],
) -> str:
    parts = []
    for answer in answers:
        if isinstance(answer, StoredRegistration):
            body = stored_xml(answer, with_history=False)
        else:
            request, error = answer
            body = (
                "<CancelPresenceError><CancelPresenceRequest>"
                f"<PresenceRegistrationId>{request.registration_id}</PresenceRegistrationId>"
                f"<CancellationReason>{escape(request.reason)}</CancellationReason>"
                "</CancelPresenceRequest><ErrorList><Error>"
                f"<ErrorCode>{error.code}</ErrorCode>"
                f"<ErrorDescription>{escape(error.description)}</ErrorDescription>"
                "</Error></ErrorList></CancelPresenceError>"
            )
        parts.append(f"<CancelPresenceResponse>{body}</CancelPresenceResponse>")
    return response_xml("CancelPresencesResponse", parts)


def read_export_request(element: etree._Element) -> ExportRequest:
    f = {child.tag[_PLEN:]: (child.text or "").strip() for child in element}
    return ExportRequest(
        start=read_date(f["StartDate"]),
        end=read_date(f["EndDate"]),
        format=f["Format"],
        company_id=f.get("CompanyID"),
        workplace_id=f.get("WorkPlaceId"),
    )
