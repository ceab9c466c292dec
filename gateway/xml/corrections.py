"""Codec of correction requests: the employer's requestCorrection and the operators' list
and decision on /Administration/v1."""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from gateway.domain.corrections import CorrectionRequest, CorrectionStatus, CorrectionType
from gateway.xml.contract import NS_TYPES
from gateway.xml.reference import NS_ADMIN_TYPES
from gateway.xml.registrations import escape, format_datetime, response_xml


def _fields(element: etree._Element) -> dict[str, str]:
    return {etree.QName(child).localname: (child.text or "").strip() for child in element}


def read_request(element: etree._Element) -> tuple[int, CorrectionType, str, str]:
    f = _fields(element)
    motivation = element.findtext(f"{{{NS_TYPES}}}Motivation") or ""
    return (
        int(f["PresenceRegistrationId"]),
        CorrectionType(f["CorrectionType"]),
        f["ProposedValue"],
        motivation,
    )


def write_request_response(item: CorrectionRequest) -> str:
    return response_xml(
        "RequestCorrectionResponse",
        [f"<CorrectionRequestId>{item.id}</CorrectionRequestId><Status>{item.status}</Status>"],
    )


def read_list(element: etree._Element) -> CorrectionStatus:
    return CorrectionStatus(_fields(element).get("Status") or "PENDING")


def read_decision(element: etree._Element) -> tuple[int, bool, str | None]:
    f = _fields(element)
    note = element.findtext(f"{{{NS_ADMIN_TYPES}}}Note")
    return int(f["CorrectionRequestId"]), f["Decision"] == "APPROVE", note


def _item(item: CorrectionRequest) -> str:
    note = "" if item.note is None else f"<Note>{escape(item.note)}</Note>"
    return (
        f"<CorrectionRequest><CorrectionRequestId>{item.id}</CorrectionRequestId>"
        f"<PresenceRegistrationId>{item.registration_id}</PresenceRegistrationId>"
        f"<CorrectionType>{item.correction_type}</CorrectionType>"
        f"<CurrentValue>{escape(item.current_value)}</CurrentValue>"
        f"<ProposedValue>{escape(item.proposed_value)}</ProposedValue>"
        f"<Motivation>{escape(item.motivation)}</Motivation>"
        f"<RequestedBy>{escape(item.requested_by)}</RequestedBy>"
        f"<RequesterCompanyID>{item.requester_company}</RequesterCompanyID>"
        f"<RequestDate>{format_datetime(item.requested_at)}</RequestDate>"
        f"<Status>{item.status}</Status>{note}</CorrectionRequest>"
    )


def _admin_response(name: str, parts: Iterable[str]) -> str:
    return f'<{name} xmlns="{NS_ADMIN_TYPES}">' + "".join(parts) + f"</{name}>"


def write_list(items: Iterable[CorrectionRequest]) -> str:
    return _admin_response("ListCorrectionRequestsResponse", (_item(i) for i in items))


def write_decision(item: CorrectionRequest) -> str:
    return _admin_response("DecideCorrectionRequestResponse", [_item(item)])
