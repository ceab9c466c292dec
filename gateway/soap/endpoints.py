"""The SOAP services the gateway publishes: where, with which contract, for whom."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spyne import ServiceBase

from gateway.domain.identity import Role
from gateway.soap.administration import AdministrationService
from gateway.soap.checkinatwork.faults import PLATFORM
from gateway.soap.checkinatwork.service import CheckinAtWorkService
from gateway.soap.faults import CIAO, FaultDialect
from gateway.soap.service import DECODERS, PresenceRegistrationService
from gateway.xml.contract import NS_SERVICE, NS_V1, SCHEMA_DIR, WSDL_DIR


@dataclass(frozen=True)
class Endpoint:
    path: str
    wsdl: Path
    schema: Path
    namespace: str
    name: str
    service: type[ServiceBase]
    roles: frozenset[Role]
    # How its faults are worded, and the operations whose request is read into domain objects
    # before the transaction begins (the method gets those instead of the element).
    dialect: FaultDialect = CIAO
    # What a plain GET of its address calls it.
    title: str = "CIaO SOAP service"
    decoders: Mapping[str, Callable[[Any], object]] = field(default_factory=dict)


PRESENCE_REGISTRATION = Endpoint(
    path="/PresenceRegistration/v1",
    wsdl=WSDL_DIR / "PresenceRegistration_v1.wsdl",
    schema=SCHEMA_DIR / "PresenceRegistrationProtocol_v1.xsd",
    namespace=NS_SERVICE,
    name="PresenceRegistrationService",
    service=PresenceRegistrationService,
    roles=frozenset({Role.EMPLOYER, Role.OPERATOR}),
    decoders=DECODERS,
)

# Checkin@Work: the RSZ's PresenceRegistration v1.11, for the same accounts.
CHECKIN_AT_WORK = Endpoint(
    path="/checkinatwork/PresenceRegistration/v1",
    wsdl=WSDL_DIR / "CheckinAtWork_v1.wsdl",
    schema=SCHEMA_DIR / "CheckinAtWorkProtocol_v1.xsd",
    namespace=NS_V1,
    name="PresenceRegistrationService",
    service=CheckinAtWorkService,
    roles=frozenset({Role.EMPLOYER, Role.OPERATOR}),
    dialect=PLATFORM,
    title="Checkin@Work SOAP service (PresenceRegistration v1.11)",
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

ENDPOINTS = (PRESENCE_REGISTRATION, ADMINISTRATION, CHECKIN_AT_WORK)
