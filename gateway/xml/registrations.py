"""Codec between contract XML and domain registrations.

Reading assumes the element was validated against ``schemas/`` first, so every value has the
shape the XSD promises. Writing produces the response body as text: it is the hot path of every
acknowledgement, and building it as text is several times faster than element by element.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from lxml import etree

from gateway.domain.registration import (
    Acknowledgement,
    Address,
    Coordinates,
    Location,
    RefusedRegistration,
    RegistrationMeans,
    RegistrationType,
    StoredRegistration,
    SubmittedRegistration,
    Validation,
)
from gateway.xml.contract import NS_TYPES

_P = "{" + NS_TYPES + "}"
_PLEN = len(_P)


def parse_datetime(text: str) -> datetime:
    """An ``xs:dateTime`` of ``ZonedDateTimeType`` (offset mandatory) as an aware datetime."""
    return datetime.fromisoformat(text.strip())


def format_datetime(value: datetime) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _location(element: etree._Element) -> Location:
    kind = element[0]
    fields = {child.tag[_PLEN:]: child.text for child in kind}
    if kind.tag == _P + "Coordinates":
        accuracy = fields.get("AccuracyMeters")
        return Coordinates(
            latitude=Decimal(fields["Latitude"].strip()),
            longitude=Decimal(fields["Longitude"].strip()),
            accuracy_meters=Decimal(accuracy.strip()) if accuracy else None,
        )
    return Address(
        street=fields["Street"],
        house_number=fields.get("HouseNumber"),
        postal_code=fields["PostalCode"],
        municipality=fields["Municipality"],
        country_code=fields.get("CountryCode"),
    )


def read_registration(element: etree._Element) -> SubmittedRegistration:
    """One validated ``PresenceRegistrationRequestType`` element as a domain registration."""
    fields: dict[str, str] = {}
    location = None
    for child in element:
        name = child.tag[_PLEN:]
        if name == "Location":
            location = _location(child)
        else:
            fields[name] = child.text or ""
    emergency = fields.get("EmergencyProcedure", "false").strip()
    return SubmittedRegistration(
        inss=fields.get("INSS"),
        company_id=fields.get("CompanyID"),
        limosa_id=fields.get("LimosaId"),
        workplace_id=fields["WorkPlaceId"],
        registration_type=RegistrationType(fields["RegistrationType"].strip()),
        registered_at=parse_datetime(fields["RegistrationDateTime"]),
        location=location,
        means=RegistrationMeans(fields["RegistrationMeans"].strip()),
        device_id=fields.get("DeviceId"),
        emergency_procedure=emergency in ("true", "1"),
        client_reference=fields.get("ClientPresenceRegistrationReference"),
    )


def read_register_request(element: etree._Element) -> list[SubmittedRegistration]:
    return [read_registration(child) for child in element]


def read_registration_id(element: etree._Element) -> int:
    return int(element[0].text or "0")


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def _leaf(out: list[str], name: str, value: object) -> None:
    if value is None:
        return
    text = value if isinstance(value, str) else str(value)
    out.append(f"<{name}>{text.translate(_ESCAPES)}</{name}>")


def _decimal(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _write_location(out: list[str], location: Location) -> None:
    out.append("<Location>")
    if isinstance(location, Coordinates):
        out.append("<Coordinates>")
        _leaf(out, "Latitude", _decimal(location.latitude))
        _leaf(out, "Longitude", _decimal(location.longitude))
        if location.accuracy_meters is not None:
            _leaf(out, "AccuracyMeters", _decimal(location.accuracy_meters))
        out.append("</Coordinates>")
    else:
        out.append("<Address>")
        _leaf(out, "Street", location.street)
        _leaf(out, "HouseNumber", location.house_number)
        _leaf(out, "PostalCode", location.postal_code)
        _leaf(out, "Municipality", location.municipality)
        _leaf(out, "CountryCode", location.country_code)
        out.append("</Address>")
    out.append("</Location>")


def _write_submitted(out: list[str], tag: str, registration: SubmittedRegistration) -> None:
    out.append(f"<{tag}>")
    _leaf(out, "INSS", registration.inss)
    _leaf(out, "CompanyID", registration.company_id)
    _leaf(out, "LimosaId", registration.limosa_id)
    _leaf(out, "WorkPlaceId", registration.workplace_id)
    _leaf(out, "RegistrationType", registration.registration_type.value)
    _leaf(out, "RegistrationDateTime", format_datetime(registration.registered_at))
    if registration.location is not None:
        _write_location(out, registration.location)
    _leaf(out, "RegistrationMeans", registration.means.value)
    _leaf(out, "DeviceId", registration.device_id)
    _leaf(out, "EmergencyProcedure", "true" if registration.emergency_procedure else "false")
    _leaf(out, "ClientPresenceRegistrationReference", registration.client_reference)
    out.append(f"</{tag}>")


def _write_validation(out: list[str], tag: str, validation: Validation) -> None:
    out.append(f"<{tag}>")
    _leaf(out, "Status", validation.status.value)
    if validation.validated_at is not None:
        _leaf(out, "ValidationDate", format_datetime(validation.validated_at))
    out.append("<RemarkList>")
    for remark in validation.remarks[:10]:
        out.append("<Remark>")
        _leaf(out, "RemarkCode", remark.code)
        _leaf(out, "RemarkDescription", remark.description)
        out.append("</Remark>")
    out.append("</RemarkList>")
    out.append(f"</{tag}>")


def _write_stored(out: list[str], registration: StoredRegistration, with_history: bool) -> None:
    out.append("<PresenceRegistration>")
    _write_submitted(out, "PresenceRegistrationSubmitted", registration.submitted)
    _leaf(out, "INSS", registration.submitted.inss)
    _leaf(out, "PresenceRegistrationId", registration.id)
    _leaf(out, "CreationDate", format_datetime(registration.created_at.astimezone(UTC)))
    _leaf(out, "Channel", registration.channel.value)
    _write_validation(out, "LastValidation", registration.last_validation)
    if with_history and registration.history:
        out.append("<ValidationHistory>")
        for validation in registration.history:
            _write_validation(out, "Validation", validation)
        out.append("</ValidationHistory>")
    sender = registration.sender
    out.append("<Sender>")
    _leaf(out, "SenderId", sender.sender_id)
    _leaf(out, "SenderCompanyId", sender.company_id)
    _leaf(out, "SenderUserType", sender.user_type.value)
    out.append("</Sender>")
    out.append("</PresenceRegistration>")


def _write_refused(out: list[str], refused: RefusedRegistration) -> None:
    out.append("<PresenceRegistrationError>")
    _write_submitted(out, "PresenceRegistrationSubmitted", refused.submitted)
    out.append("<ErrorList>")
    for error in refused.errors[:10]:
        out.append("<Error>")
        _leaf(out, "ErrorCode", error.code)
        _leaf(out, "ErrorDescription", error.description)
        out.append("</Error>")
    out.append("</ErrorList>")
    out.append("</PresenceRegistrationError>")


def _response(name: str, parts: Iterable[str]) -> str:
    return f'<{name} xmlns="{NS_TYPES}">' + "".join(parts) + f"</{name}>"


def write_register_response(acknowledgements: Iterable[Acknowledgement]) -> str:
    """``RegisterPresencesResponse``: one answer per submitted registration, in order."""

    out: list[str] = []
    for acknowledgement in acknowledgements:
        out.append("<PresenceRegistrationResponse>")
        if isinstance(acknowledgement, StoredRegistration):
            _write_stored(out, acknowledgement, with_history=False)
        else:
            _write_refused(out, acknowledgement)
        out.append("</PresenceRegistrationResponse>")
    return _response("RegisterPresencesResponse", out)


def write_get_response(registration: StoredRegistration) -> str:
    """``GetPresenceRegistrationResponse`` with the full validation history."""
    out: list[str] = []
    _write_stored(out, registration, with_history=True)
    return _response("GetPresenceRegistrationResponse", out)
