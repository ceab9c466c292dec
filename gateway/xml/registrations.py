"""Codec between contract XML and domain registrations.

Reading assumes the element was validated against ``schemas/`` first, so every value has the
shape the XSD promises. Writing produces the response body as text: it is the hot path of every
acknowledgement, and building it as text is several times faster than element by element.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache

from lxml import etree

from gateway.domain.registration import (
    Acknowledgement,
    Address,
    Coordinates,
    Location,
    RefusedRegistration,
    RegistrationMeans,
    RegistrationType,
    Sender,
    StoredRegistration,
    SubmittedRegistration,
    Validation,
)
from gateway.xml.contract import NS_TYPES

_P = "{" + NS_TYPES + "}"
# The tags the reader asks for: those of children that may be absent (see _read).
_COORDINATES, _HOUSE_NUMBER = _P + "Coordinates", _P + "HouseNumber"
_LIMOSA, _DEVICE, _EMERGENCY = _P + "LimosaId", _P + "DeviceId", _P + "EmergencyProcedure"
_TYPES: dict[str | None, RegistrationType] = {kind.value: kind for kind in RegistrationType}
_MEANS: dict[str | None, RegistrationMeans] = {means.value: means for means in RegistrationMeans}


def format_datetime(value: datetime) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _location(element: etree._Element) -> Location:
    # By position, as the XSD orders them (see _read).
    kind = element[0]
    values = [child.text or "" for child in kind]
    if kind.tag == _COORDINATES:
        # Decimal() itself ignores the whitespace that xs:decimal allows around the digits.
        return Coordinates(
            Decimal(values[0]), Decimal(values[1]), Decimal(values[2]) if len(values) == 3 else None
        )
    house_number = country_code = None
    if len(values) == 5:
        street, house_number, postal_code, municipality, country_code = values
    elif len(values) == 3:
        street, postal_code, municipality = values
    elif kind[1].tag == _HOUSE_NUMBER:
        street, house_number, postal_code, municipality = values
    else:
        street, postal_code, municipality, country_code = values
    return Address(street, postal_code, municipality, house_number, country_code)


def _answer_form(text: str) -> str | None:
    """``text``, an ``xs:dateTime`` as sent, if it is already written as the answer writes it
    (``format_datetime`` of its value), which nearly every badge system's is; else None. With
    its sign at [19] it is a date and time of whole seconds and an offset of 6 characters."""
    if len(text) == 25 and text[19] in "+-" and text[20:] != "00:00":
        return text
    if len(text) == 20 and text[19] == "Z":
        return text
    return None


def _read(element: etree._Element) -> tuple[SubmittedRegistration, str | None]:
    """One validated ``PresenceRegistrationRequestType`` element as a domain registration,
    and its time as the answer writes it if that is how it was sent (``_answer_form``).

    The hot path of every batch. The XSD fixes the order of the children (the worker as INSS
    and CompanyID or as LimosaId; WorkPlaceId, RegistrationType, RegistrationDateTime; an
    optional Location; RegistrationMeans; then DeviceId, EmergencyProcedure and
    ClientPresenceRegistrationReference, each optional), so only the children that may be
    absent have their tag read (a tag is a new string each time it is asked for), and the
    Location is told from the RegistrationMeans after it by having children. RegistrationType
    and RegistrationMeans are enumerations of xs:string: valid, they carry no whitespace."""
    children = element.getchildren()
    first = children[0]
    if first.tag == _LIMOSA:
        inss = company = None
        limosa: str | None = first.text
        at = 1
    else:
        inss, company, limosa = first.text, children[1].text, None
        at = 2
    workplace, kind, moment, location_or_means = children[at : at + 4]
    location = None
    if len(location_or_means):
        location = _location(location_or_means)
        at += 1
    means = children[at + 3].text
    device = emergency = reference = None
    for child in children[at + 4 :]:
        tag = child.tag
        if tag == _DEVICE:
            device = child.text
        elif tag == _EMERGENCY:
            emergency = child.text
        else:  # ClientPresenceRegistrationReference, the last one
            reference = child.text
    when = (moment.text or "").strip()
    registration = SubmittedRegistration(
        workplace.text or "",
        _TYPES[kind.text],
        datetime.fromisoformat(when),
        _MEANS[means],
        inss,
        company,
        limosa,
        location,
        device,
        emergency is not None and emergency.strip() in ("true", "1"),
        reference,
    )
    return registration, _answer_form(when)


def read_registration(element: etree._Element) -> SubmittedRegistration:
    """One validated ``PresenceRegistrationRequestType`` element as a domain registration."""
    return _read(element)[0]


def read_register_request(element: etree._Element) -> list[SubmittedRegistration]:
    return [read_registration(child) for child in element]


def read_registration_id(element: etree._Element) -> int:
    return int(element[0].text or "0")


def escape(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _opt(name: str, value: str | None) -> str:
    """An optional element of free text, escaped; nothing when absent."""
    return "" if value is None else f"<{name}>{escape(value)}</{name}>"


def _decimal(value: Decimal) -> str:
    """``value`` without trailing zeros or an exponent. Most coordinates are written that way
    already, and then their text is the answer (normalize() and format() cost four times
    as much)."""
    text = str(value)
    if "E" in text or ("." in text and text[-1] == "0"):
        return format(value.normalize(), "f")
    return text


def _location_xml(location: Location) -> str:
    if isinstance(location, Coordinates):
        accuracy = location.accuracy_meters
        return (
            f"<Location><Coordinates><Latitude>{_decimal(location.latitude)}</Latitude>"
            f"<Longitude>{_decimal(location.longitude)}</Longitude>"
            + ("" if accuracy is None else f"<AccuracyMeters>{_decimal(accuracy)}</AccuracyMeters>")
            + "</Coordinates></Location>"
        )
    return (
        f"<Location><Address><Street>{escape(location.street)}</Street>"
        f"{_opt('HouseNumber', location.house_number)}"
        f"<PostalCode>{escape(location.postal_code)}</PostalCode>"
        f"<Municipality>{escape(location.municipality)}</Municipality>"
        f"{_opt('CountryCode', location.country_code)}</Address></Location>"
    )


def _submitted(registration: SubmittedRegistration, when: str | None = None) -> str:
    """The echo of ``registration``; ``when``, its time as written in the answer, if known."""
    # INSS, CompanyID, types, means and times have patterns or enumerations: nothing to escape.
    # A StrEnum formats as its value, several times faster than asking for .value.
    workplace, kind, at, means, inss, company, limosa, location, device, emergency, ref, _ = (
        registration
    )
    return (
        "<PresenceRegistrationSubmitted>"
        f"{'' if inss is None else f'<INSS>{inss}</INSS>'}"
        f"{'' if company is None else f'<CompanyID>{company}</CompanyID>'}"
        f"{_opt('LimosaId', limosa)}<WorkPlaceId>{escape(workplace)}</WorkPlaceId>"
        f"<RegistrationType>{kind}</RegistrationType>"
        f"<RegistrationDateTime>{when or format_datetime(at)}</RegistrationDateTime>"
        f"{'' if location is None else _location_xml(location)}"
        f"<RegistrationMeans>{means}</RegistrationMeans>{_opt('DeviceId', device)}"
        f"<EmergencyProcedure>{'true' if emergency else 'false'}</EmergencyProcedure>"
        f"{_opt('ClientPresenceRegistrationReference', ref)}</PresenceRegistrationSubmitted>"
    )


def request_xml(registration: SubmittedRegistration) -> str:
    """``registration`` as the ``PresenceRegistrationRequest`` of a registerPresences request
    (the echo's children are those of the request, in the same order)."""
    echo = _submitted(registration)
    inner = echo[len("<PresenceRegistrationSubmitted>") : -len("</PresenceRegistrationSubmitted>")]
    return f"<PresenceRegistrationRequest>{inner}</PresenceRegistrationRequest>"


@lru_cache(maxsize=1024)
def _validation(tag: str, validation: Validation) -> str:
    date = validation.validated_at
    remarks = "".join(
        f"<Remark><RemarkCode>{remark.code}</RemarkCode>"
        f"<RemarkDescription>{escape(remark.description)}</RemarkDescription></Remark>"
        for remark in validation.remarks[:10]
    )
    return (
        f"<{tag}><Status>{validation.status.value}</Status>"
        + ("" if date is None else f"<ValidationDate>{format_datetime(date)}</ValidationDate>")
        + f"<RemarkList>{remarks}</RemarkList></{tag}>"
    )


@lru_cache(maxsize=1024)
def _sender(sender: Sender) -> str:
    return (
        f"<Sender><SenderId>{escape(sender.sender_id)}</SenderId>"
        f"<SenderCompanyId>{sender.company_id}</SenderCompanyId>"
        f"<SenderUserType>{sender.user_type.value}</SenderUserType></Sender>"
    )


def _corrections(registration: StoredRegistration) -> str:
    return (
        "<CorrectionHistory>"
        + "".join(
            f"<Correction><CorrectionRequestId>{c.request_id}</CorrectionRequestId>"
            f"<Field>{c.field}</Field><OldValue>{escape(c.old_value)}</OldValue>"
            f"<NewValue>{escape(c.new_value)}</NewValue>"
            f"<CorrectionDate>{format_datetime(c.corrected_at)}</CorrectionDate></Correction>"
            for c in registration.corrections
        )
        + "</CorrectionHistory>"
    )


@lru_cache(maxsize=64)
def _creation_date(created_at: datetime) -> str:
    # Every registration of a batch has the same one.
    return format_datetime(created_at.astimezone(UTC))


def _after_id(registration: StoredRegistration, with_history: bool) -> str:
    """What follows a registration's id: without history, the same for a whole batch."""
    history = ""
    if with_history and registration.history:
        history = (
            "<ValidationHistory>"
            + "".join(_validation("Validation", v) for v in registration.history)
            + "</ValidationHistory>"
        )
    return (
        f"<CreationDate>{_creation_date(registration.created_at)}</CreationDate>"
        f"<Channel>{registration.channel.value}</Channel>"
        + _validation("LastValidation", registration.last_validation)
        + history
        + _sender(registration.sender)
        + (_corrections(registration) if with_history and registration.corrections else "")
    )


def _presence_registration(registration: StoredRegistration, submitted: str, after_id: str) -> str:
    inss = registration.submitted.inss
    return (
        f"<PresenceRegistration>{submitted}{'' if inss is None else f'<INSS>{inss}</INSS>'}"
        f"<PresenceRegistrationId>{registration.id}</PresenceRegistrationId>{after_id}"
        "</PresenceRegistration>"
    )


def stored_xml(registration: StoredRegistration, with_history: bool) -> str:
    return _presence_registration(
        registration, _submitted(registration.submitted), _after_id(registration, with_history)
    )


def _refused(refused: RefusedRegistration, submitted: str) -> str:
    errors = "".join(
        f"<Error><ErrorCode>{escape(error.code)}</ErrorCode>"
        f"<ErrorDescription>{escape(error.description)}</ErrorDescription></Error>"
        for error in refused.errors[:10]
    )
    return (
        "<PresenceRegistrationError>"
        + submitted
        + f"<ErrorList>{errors}</ErrorList></PresenceRegistrationError>"
    )


def response_xml(name: str, parts: Iterable[str]) -> str:
    return f'<{name} xmlns="{NS_TYPES}">' + "".join(parts) + f"</{name}>"


Echo = tuple[SubmittedRegistration, str]


def read_echoed_request(element: etree._Element) -> list[Echo]:
    """Each registration of a validated ``RegisterPresencesRequest`` with its echo in the
    answer, as submitted: the part of the answer that needs nothing stored, written ahead of
    the batch's transaction so that the answer, which must be whole before it commits, keeps
    the write lock short. A time sent as the answer writes it is echoed as it was sent."""
    return [(r, _submitted(r, when)) for r, when in map(_read, element)]


def write_register_response(
    acknowledgements: Iterable[Acknowledgement], written: Sequence[Echo] = ()
) -> str:
    """``RegisterPresencesResponse``: one answer per submitted registration, in order.
    ``written`` are the batch's ``echoes``, if written already (an answer with the original
    of a registration sent before echoes that one). The registrations a batch stored share
    their creation time, channel, status and sender, written once for all of them (a
    registration sent before has its own)."""
    parts = []
    shared_key: tuple[object, ...] = ()
    shared = ""
    for position, a in enumerate(acknowledgements):
        submitted = a.submitted
        echo = written[position] if position < len(written) else None
        text = echo[1] if echo is not None and echo[0] is submitted else _submitted(submitted)
        if isinstance(a, RefusedRegistration):
            parts.append(
                f"<PresenceRegistrationResponse>{_refused(a, text)}</PresenceRegistrationResponse>"
            )
            continue
        key = (a.created_at, a.channel, a.last_validation, a.sender)
        if key != shared_key:
            shared_key, shared = key, _after_id(a, with_history=False)
        parts.append(
            "<PresenceRegistrationResponse>"
            f"{_presence_registration(a, text, shared)}</PresenceRegistrationResponse>"
        )
    return response_xml("RegisterPresencesResponse", parts)


def write_get_response(registration: StoredRegistration) -> str:
    """``GetPresenceRegistrationResponse`` with the full validation history."""
    return response_xml(
        "GetPresenceRegistrationResponse", [stored_xml(registration, with_history=True)]
    )
