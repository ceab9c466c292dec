"""The worker's form, read into a registration with the limits of the published XSD, so that
the page stores nothing the webservice would refuse: each field says what is wrong with it,
and the registration is then checked against the XSD itself (``gateway.xml.conformance``).
Errors are messages to translate, by the name of the field they belong to."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from gateway.domain.characters import is_xml_text
from gateway.domain.registration import (
    Address,
    Coordinates,
    Location,
    RegistrationMeans,
    RegistrationType,
    SubmittedRegistration,
)
from gateway.pages.i18n import N_
from gateway.xml.conformance import registration_refusals

INSS = re.compile(r"[0-9]{11}")
COUNTRY = re.compile(r"[A-Z]{2}")
NOT_XML = N_(
    "This holds a character that cannot be registered, such as a control character. Type it again."
)
# The form's field of each element of a registration; what the worker does not type (the
# declaration, the device, the time) is the form's own, which opening the page again renews.
FIELDS = {
    "INSS": "identifier",
    "LimosaId": "identifier",
    "CompanyID": "company",
    "Location": "location",
    "Coordinates": "location",
    "Latitude": "location",
    "Longitude": "location",
    "AccuracyMeters": "location",
    "Address": "street",
    "Street": "street",
    "HouseNumber": "house_number",
    "PostalCode": "postal_code",
    "Municipality": "municipality",
    "CountryCode": "country",
}


@dataclass(frozen=True)
class Identity:
    """Who registers: an INSS (national or BIS number) or a Limosa id."""

    inss: str | None = None
    limosa_id: str | None = None


@dataclass
class FormErrors:
    by_field: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, message)

    def __bool__(self) -> bool:
        return bool(self.by_field)


def _text(form: Mapping[str, str], name: str) -> str:
    return (form.get(name) or "").strip()


def read_identity(form: Mapping[str, str], errors: FormErrors) -> Identity:
    """
    >>> errors = FormErrors()
    >>> read_identity({"kind": "INSS", "identifier": "85.07.30-033.28"}, errors)
    Identity(inss='85073003328', limosa_id=None)
    >>> read_identity({"kind": "INSS", "identifier": "123"}, errors); errors.by_field
    Identity(inss=None, limosa_id=None)
    {'identifier': 'A national or BIS number has 11 digits.'}
    """
    identifier = _text(form, "identifier")
    if not is_xml_text(identifier):
        errors.add("identifier", NOT_XML)
        return Identity()
    if form.get("kind") == "LIMOSA":
        if not 1 <= len(identifier) <= 30:
            errors.add("identifier", N_("A Limosa id has 1 to 30 characters."))
            return Identity()
        return Identity(limosa_id=identifier)
    digits = re.sub(r"[\s.\-]", "", identifier)
    if not INSS.fullmatch(digits):
        errors.add("identifier", N_("A national or BIS number has 11 digits."))
        return Identity()
    return Identity(inss=digits)


def _coordinates(form: Mapping[str, str], errors: FormErrors) -> Coordinates | None:
    try:
        latitude = Decimal(_text(form, "latitude")).quantize(Decimal("0.0000001"))
        longitude = Decimal(_text(form, "longitude")).quantize(Decimal("0.0000001"))
        accuracy_text = _text(form, "accuracy")
        accuracy = (
            min(Decimal(accuracy_text), Decimal(100000)).quantize(Decimal("0.01"))
            if accuracy_text
            else None
        )
    except InvalidOperation:
        errors.add("location", N_("The phone gave no usable position."))
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or (
        accuracy is not None and accuracy < 0
    ):
        errors.add("location", N_("The phone gave no usable position."))
        return None
    return Coordinates(latitude, longitude, accuracy)


def _address(form: Mapping[str, str], errors: FormErrors) -> Address | None:
    street, number = _text(form, "street"), _text(form, "house_number")
    postal_code, municipality = _text(form, "postal_code"), _text(form, "municipality")
    country = _text(form, "country").upper() or "BE"
    if not (street or number or postal_code or municipality):
        return None
    for name, value, longest in (
        ("street", street, 100),
        ("postal_code", postal_code, 10),
        ("municipality", municipality, 100),
    ):
        if not 1 <= len(value) <= longest:
            errors.add(name, N_("Fill this in, or leave the whole address empty."))
    if len(number) > 10:
        errors.add("house_number", N_("At most 10 characters."))
    if not COUNTRY.fullmatch(country):
        errors.add("country", N_("Two letters, such as BE."))
    if errors:
        return None
    return Address(street, postal_code, municipality, number or None, country)


def read_location(form: Mapping[str, str], errors: FormErrors) -> Location | None:
    """Coordinates only when the worker consented and the phone gave them; otherwise the
    typed address, if any (GPS is not mandatory, Q12)."""
    if form.get("consent") == "yes" and _text(form, "latitude"):
        return _coordinates(form, errors)
    return _address(form, errors)


def read_registration(
    form: Mapping[str, str],
    identity: Identity,
    workplace_id: str,
    employers: list[str],
    means: RegistrationMeans,
    device: str,
    now: datetime,
    errors: FormErrors,
) -> SubmittedRegistration | None:
    """The registration ``identity`` asked for, at ``now``, or None with ``errors`` filled."""
    company = _text(form, "company")
    if identity.inss is not None and company not in employers:
        errors.add("company", N_("Choose your employer."))
    try:
        kind = RegistrationType(_text(form, "type"))
    except ValueError:
        errors.add("type", N_("Choose what you register."))
    location = read_location(form, errors)
    reference = _text(form, "reference")
    if not 1 <= len(reference) <= 24:
        errors.add("reference", N_("Open the page again."))
    if errors:
        return None
    registration = SubmittedRegistration(
        workplace_id=workplace_id,
        registration_type=kind,
        registered_at=now,
        means=means,
        inss=identity.inss,
        company_id=company if identity.inss is not None else None,
        limosa_id=identity.limosa_id,
        location=location,
        device_id=device,
        client_reference=reference,
    )
    # The form's own limits are the XSD's: what the XSD refuses still is a character it
    # cannot be asked about, or a field the worker does not type.
    for element in registration_refusals(registration):
        field_name = FIELDS.get(element, "reference")
        errors.add(field_name, NOT_XML if field_name != "reference" else N_("Open the page again."))
    return None if errors else registration
