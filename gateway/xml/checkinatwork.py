"""Codec of Checkin@Work (the RSZ's PresenceRegistration v1.11): validated request elements
to domain values, and answers to XML of the v1 contract.

Reading assumes the element was validated against ``schemas/CheckinAtWorkProtocol_v1.xsd``
first; what the XSD lets through but the gateway cannot hold (a Limosa id longer than the 30
characters a Limosa declaration has) is ``ContentInvalid``, which the edge answers with the
platform's content validation fault, naming the element and its line.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from lxml import etree
from lxml.builder import ElementMaker

from gateway.domain.consultation import MAX_PAGE, Cancellation, SearchCriteria
from gateway.domain.presence import company_id_of, presence
from gateway.domain.registration import (
    Acknowledgement,
    Channel,
    RefusedRegistration,
    RegistrationError,
    Sector,
    Status,
    StoredRegistration,
    SubmittedRegistration,
    Validation,
)
from gateway.domain.remarks import CATALOGUE
from gateway.domain.workday import BELGIUM
from gateway.xml.characters import carried
from gateway.xml.contract import NS_V1, NS_V1_TYPES, ContentRefused, read_date, readable_path
from gateway.xml.registrations import format_datetime

_T = "{" + NS_V1_TYPES + "}"
V1 = ElementMaker(namespace=NS_V1, nsmap={None: NS_V1, "t": NS_V1_TYPES})
T = ElementMaker(namespace=NS_V1_TYPES)
LIMOSA_ID_LENGTH = 30
# The RSZ's own word for the web service channel.
_CHANNELS = {Channel.WEBSERVICE: "WS", Channel.WEB: "WEB"}
# The checks' remark codes by the text the v1 contract searches them by (SearchRemarkType).
REMARK_CODES = {kind.text: kind.code for kind in CATALOGUE}
MAX_REMARKS = 10


class ContentInvalid(ContentRefused):
    """A schema-valid request the gateway cannot take as it is; the message names where."""

    def __init__(self, element: etree._Element, reason: str) -> None:
        super().__init__(f"line {element.sourceline}, {readable_path(element)}: {reason}")


def _children(element: etree._Element) -> dict[str, etree._Element]:
    return {etree.QName(child).localname: child for child in element}


def _text(element: etree._Element | None) -> str | None:
    return None if element is None else (element.text or "").strip()


def read_register_request(element: etree._Element, today: date) -> list[SubmittedRegistration]:
    """The presences of a ``RegisterPresencesRequest``; a day left out is ``today``."""
    return [_read_presence(child, today) for child in element]


def _read_presence(element: etree._Element, today: date) -> SubmittedRegistration:
    fields = _children(element)
    day = fields.get("RegistrationDate")
    limosa = fields.get("LimosaId")
    limosa_id = _text(limosa)
    if limosa is not None and not 0 < len(limosa_id or "") <= LIMOSA_ID_LENGTH:
        raise ContentInvalid(
            limosa, f"a LimosaId has 1 to {LIMOSA_ID_LENGTH} characters, not {len(limosa_id or '')}"
        )
    company = _text(fields.get("CompanyID"))
    return presence(
        today if day is None else read_date(day.text),
        _text(fields["WorkPlaceId"]) or "",
        inss=_text(fields.get("INSS")),
        company_id=None if company is None else company_id_of(int(company)),
        limosa_id=limosa_id,
        client_reference=(fields["ClientPresenceRegistrationReference"].text or "")
        if "ClientPresenceRegistrationReference" in fields
        else None,
    )


def read_registration_id(element: etree._Element) -> int:
    """The id of a ``GetPresenceRegistrationRequest``."""
    return int(_text(element[0][0]) or "0")


def read_cancel_request(element: etree._Element) -> list[Cancellation]:
    return [
        Cancellation(int(_text(item[0]) or "0"), (item[1].text or "").strip()) for item in element
    ]


def read_search_request(element: etree._Element) -> tuple[SearchCriteria, bool]:
    """A ``SearchPresencesRequest`` as search criteria (``services.presences.search`` keeps
    them to Checkin@Work presences), and whether it can find anything at all (not when it
    asks only for remarks no check raises)."""
    request = _children(element[0])
    criteria = _children(request["SearchPresenceRegistrationCriteria"])
    paging = _children(request["PaginationProperties"]) if "PaginationProperties" in request else {}
    sorting = _children(request["SortingProperties"]) if "SortingProperties" in request else {}
    periods = tuple(
        (read_date(period[0].text), read_date(period[1].text))
        for period in criteria["RegistrationPeriodList"]
    )
    remarks = [_text(r) or "" for r in criteria.get("RemarkList", [])]
    codes = tuple(REMARK_CODES[text] for text in remarks if text in REMARK_CODES)
    company = _text(criteria.get("CompanyID"))
    sector = _text(criteria.get("Sector"))
    first_row = int(_text(paging.get("FirstRow")) or 0)
    fetch_size = int(_text(paging.get("FetchSize")) or 50)
    for name, value in (("FirstRow", first_row), ("FetchSize", fetch_size - 1)):
        if value < 0:
            raise ContentInvalid(paging[name], f"{name} {_text(paging[name])} is out of range")
    found = SearchCriteria(
        periods=periods,
        inss=_text(criteria.get("INSS")),
        company_id=None if company is None else company_id_of(int(company)),
        workplace_id=_text(criteria.get("WorkPlaceId")),
        statuses=tuple(Status(_text(s) or "") for s in criteria.get("StatusList", [])),
        remark_codes=codes,
        created_after=_moment(criteria.get("CreationStartDate")),
        created_before=_moment(criteria.get("CreationEndDate")),
        first_row=first_row,
        fetch_size=min(fetch_size, MAX_PAGE),
        sort=_text(sorting.get("SortCriteria")) or "ID",
        descending=_text(sorting.get("SortDirection")) == "DESCENDING",
        sector=None if sector is None else _sector(criteria["Sector"], int(sector)),
    )
    return found, not remarks or bool(codes)


def _sector(element: etree._Element, number: int) -> Sector:
    try:
        return Sector(number)
    except ValueError:
        raise ContentInvalid(element, f"there is no sector {number} (1, 2 or 3)") from None


def _moment(element: etree._Element | None) -> datetime | None:
    """A ``CreationDateType``; one without a zone is Belgian time."""
    if element is None:
        return None
    text = (element.text or "").strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:  # a year beyond 9999, or a 24:00:00, which xs:dateTime allows
        raise ContentInvalid(element, f"{text} is not a time the gateway can search") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=BELGIUM)


# -- answers ------------------------------------------------------------------------------


def _company(company_id: str) -> str:
    return str(int(company_id))


def _submitted(registration: SubmittedRegistration, consult: bool) -> etree._Element:
    """``PresenceRegistrationSubmitted`` (registering, cancelling) or
    ``PresenceRegistrationConsultSubmitted`` (consulting), as the contract's examples."""
    r = registration
    name = "PresenceRegistrationConsultSubmitted" if consult else "PresenceRegistrationSubmitted"
    element = T(name, T.RegistrationDate(r.registered_at.date().isoformat()))
    if r.inss is not None:
        element.append(T.INSS(r.inss))
    if r.company_id is not None:
        element.append(T.CompanyID(_company(r.company_id)))
    if r.limosa_id is not None:
        element.append(T.LimosaId(carried(r.limosa_id)))
    element.append(T.WorkPlaceId(carried(r.workplace_id)))
    if r.client_reference is not None:
        element.append(T.ClientPresenceRegistrationReference(carried(r.client_reference)))
    return element


def _validation(name: str, validation: Validation) -> etree._Element:
    element = T(name, T.Status(validation.status.value))
    if validation.validated_at is not None:
        element.append(T.ValidationDate(format_datetime(validation.validated_at.astimezone(UTC))))
    if validation.remarks:
        element.append(
            T.RemarkList(*(T.Remark(r.description) for r in validation.remarks[:MAX_REMARKS]))
        )
    return element


def _registration(
    name: str, registration: StoredRegistration, *, consult: bool, history: bool
) -> etree._Element:
    r = registration
    element = T(name, _submitted(r.submitted, consult))
    if r.submitted.sector is not None:
        element.append(T.Sector(str(int(r.submitted.sector))))
    if r.submitted.inss is not None:
        element.append(T.INSS(r.submitted.inss))
    element.extend(
        [
            T.PresenceRegistrationId(str(r.id)),
            T.CreationDate(format_datetime(r.created_at.astimezone(UTC))),
            T.Channel(_CHANNELS[r.channel]),
            _validation("LastValidation", r.last_validation),
        ]
    )
    if history and r.history:
        element.append(T.ValidationHistory(*(_validation("Validation", v) for v in r.history)))
    element.append(
        T.Sender(
            T.SenderId(carried(r.sender.sender_id)),
            T.SenderCompanyId(_company(r.sender.company_id)),
            T.SenderUserType(r.sender.user_type.value),
        )
    )
    return element


def _errors(errors: Sequence[RegistrationError]) -> etree._Element:
    return T.ErrorList(
        *(T.Error(T.ErrorCode(e.code), T.ErrorDescription(e.description)) for e in errors[:10])
    )


def _text_of(element: etree._Element) -> str:
    return etree.tostring(element, encoding="unicode")


def write_register_response(answers: Iterable[Acknowledgement]) -> str:
    parts = []
    for answer in answers:
        if isinstance(answer, RefusedRegistration):
            part = T.PresenceRegistrationError(
                _submitted(answer.submitted, consult=False), _errors(answer.errors)
            )
        else:
            part = _registration("PresenceRegistration", answer, consult=False, history=False)
        parts.append(V1.PresenceRegistrationResponse(part))
    return _text_of(V1.RegisterPresencesResponse(*parts))


CancelAnswer = StoredRegistration | tuple[Cancellation, RegistrationError]


def write_cancel_response(answers: Iterable[CancelAnswer]) -> str:
    parts = []
    for answer in answers:
        if isinstance(answer, StoredRegistration):
            part = _registration("PresenceRegistration", answer, consult=False, history=True)
        else:
            request, error = answer
            part = T.PresenceRegistrationError(
                T.CancelPresenceRequest(
                    T.PresenceRegistrationId(str(request.registration_id)),
                    T.CancellationReason(request.reason),
                ),
                _errors([error]),
            )
        parts.append(V1.CancelPresenceResponse(part))
    return _text_of(V1.CancelPresencesResponse(*parts))


def write_get_response(registration_id: int, found: StoredRegistration | None) -> str:
    """The presence with its whole history, or an empty ``GetPresenceRegistrationType``."""
    answer = T.GetPresenceRegistrationType()
    if found is not None:
        answer.append(_registration("PresenceRegistrationType", found, consult=True, history=True))
    return _text_of(
        V1.GetPresenceRegistrationResponse(
            V1.GetPresenceRegistrationResponseType(
                T.GetPresenceRegistrationRequest(T.PresenceRegistrationId(str(registration_id))),
                answer,
            )
        )
    )


def write_search_response(
    request: etree._Element, total: int, found: Iterable[StoredRegistration]
) -> str:
    """The request echoed as it came, the count, and the page of presences."""
    echo = T.SearchPresencesRequest(*(copy.deepcopy(criterion) for criterion in request[0]))
    for criterion in echo:
        criterion.tail = None
    listing = T.PresenceRegistrationList(T.PresenceRegistrationResultCount(str(total)))
    listing.extend(
        _registration("PresenceRegistration", r, consult=True, history=False) for r in found
    )
    return _text_of(V1.SearchPresencesResponse(V1.SearchPresencesResponseType(echo, listing)))
