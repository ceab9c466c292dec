"""The SOAP services the gateway publishes: where, with which contract, for whom."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from spyne import ServiceBase

from gateway.domain.identity import Role
from gateway.soap.administration import AdministrationService
from gateway.soap.service import PresenceRegistrationService
from gateway.xml.contract import NS_SERVICE, SCHEMA_DIR, WSDL_DIR


@dataclass(frozen=True)
class Endpoint:
    path: str
    wsdl: Path
    schema: Path
    namespace: str
    name: str
    service: type[ServiceBase]
    roles: frozenset[Role]


PRESENCE_REGISTRATION = Endpoint(
    path="/PresenceRegistration/v1",
    wsdl=WSDL_DIR / "PresenceRegistration_v1.wsdl",
    schema=SCHEMA_DIR / "PresenceRegistrationProtocol_v1.xsd",
    namespace=NS_SERVICE,
    name="PresenceRegistrationService",
    service=PresenceRegistrationService,
    roles=frozenset({Role.EMPLOYER, Role.OPERATOR}),
)

ADMINISTRATION = Endpoint(
    path="/Administration/v1",
    wsdl=WSDL_DIR / "Administration_v1.wsdl",
    schema=SCHEMA_DIR / "AdministrationProtocol_v1.xsd",
    namespace="urn:ciao:administration:v1",
    name="AdministrationService",
    service=AdministrationService,
    roles=frozenset({Role.OPERATOR}),
)

ENDPOINTS = (PRESENCE_REGISTRATION, ADMINISTRATION)
