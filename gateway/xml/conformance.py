"""What a page makes, checked against the contract as the webservice would receive it: a
registration as a ``RegisterPresencesRequest``, a correction request as a
``RequestCorrectionRequest``, validated against the published XSD. So no channel stores what
the webservice would refuse, by the XSD's own types and patterns rather than a copy of them.

Each check answers with the names of the elements the contract refuses (``Street``,
``Motivation``), for the page to name the field; a character XML cannot carry is found
before the XSD, which cannot be asked about it.
"""

from __future__ import annotations

from functools import cache

from lxml import etree

from gateway.domain.characters import is_xml_text
from gateway.domain.corrections import CorrectionType
from gateway.domain.registration import Address, SubmittedRegistration
from gateway.xml.contract import NS_TYPES, SCHEMA_DIR, ContractValidator
from gateway.xml.registrations import escape, request_xml


@cache
def _protocol() -> ContractValidator:
    return ContractValidator(SCHEMA_DIR / "PresenceRegistrationProtocol_v1.xsd")


def _not_xml(values: dict[str, str | None]) -> list[str]:
    return [name for name, value in values.items() if value is not None and not is_xml_text(value)]


def _refused(request: str) -> list[str]:
    errors = _protocol().errors(etree.fromstring(request))
    # The element an error is about is the last step of its path: .../Address/Street[2].
    return list(dict.fromkeys(error.path.rsplit("/", 1)[-1].split("[")[0] for error in errors))


def registration_refusals(registration: SubmittedRegistration) -> list[str]:
    """The elements of ``registration`` that registerPresences would refuse, or none."""
    location = registration.location
    address = location if isinstance(location, Address) else None
    not_xml = _not_xml(
        {
            "INSS": registration.inss,
            "CompanyID": registration.company_id,
            "LimosaId": registration.limosa_id,
            "WorkPlaceId": registration.workplace_id,
            "Street": address and address.street,
            "HouseNumber": address and address.house_number,
            "PostalCode": address and address.postal_code,
            "Municipality": address and address.municipality,
            "CountryCode": address and address.country_code,
            "DeviceId": registration.device_id,
            "ClientPresenceRegistrationReference": registration.client_reference,
        }
    )
    if not_xml:
        return not_xml
    return _refused(
        f'<RegisterPresencesRequest xmlns="{NS_TYPES}">{request_xml(registration)}'
        "</RegisterPresencesRequest>"
    )


def correction_refusals(
    registration_id: int, kind: CorrectionType, proposed: str, motivation: str
) -> list[str]:
    """The elements of this correction request that requestCorrection would refuse."""
    not_xml = _not_xml({"ProposedValue": proposed, "Motivation": motivation})
    if not_xml:
        return not_xml
    return _refused(
        f'<RequestCorrectionRequest xmlns="{NS_TYPES}">'
        f"<PresenceRegistrationId>{registration_id}</PresenceRegistrationId>"
        f"<CorrectionType>{kind}</CorrectionType>"
        f"<ProposedValue>{escape(proposed)}</ProposedValue>"
        f"<Motivation>{escape(motivation)}</Motivation></RequestCorrectionRequest>"
    )
