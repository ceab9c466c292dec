"""What the Checkin@Work tests share: the RSZ's own contract (read from shared/ beside the
repository, never copied into it), zeep clients built from it, and validation of raw answers
against the RSZ's protocol XSD."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import pytest
import zeep
from lxml import etree
from zeep.plugins import HistoryPlugin, Plugin
from zeep.wsse.username import UsernameToken

from tests.conftest import PASSWORD, RunningGateway

NS_V1 = "http://socialsecurity.be/presenceregistration/v1"
NS_T = "http://socialsecurity.be/presenceregistration/schemas/v1"
NS_ERR = "http://socialsecurity.be/errors/v1"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
PATH = "/checkinatwork/PresenceRegistration/v1"
BINDING = f"{{{NS_V1}}}PresenceRegistrationSOAPBinding"
_WHERE = Path("shared") / "rsz-v1" / "contract"


def rsz_contract() -> Path | None:
    """The RSZ's contract folder: ``CIAO_RSZ_CONTRACT``, or ``shared/rsz-v1/contract`` in the
    nearest folder above the repository that has one (CI clones the repository beside
    shared/; a worktree may sit deeper)."""
    given = os.environ.get("CIAO_RSZ_CONTRACT")
    if given:
        return Path(given) if Path(given).is_dir() else None
    for folder in Path(__file__).resolve().parents[1].parents:
        if (folder / _WHERE).is_dir():
            return folder / _WHERE
    return None


def rsz_file(*parts: str) -> Path:
    contract = rsz_contract()
    if contract is None:
        pytest.skip("the RSZ's contract (shared/rsz-v1/contract) is not beside the repository")
    return contract.joinpath(*parts)


def rsz_wsdl() -> Path:
    return rsz_file("presenceregistration", "v1", "PresenceRegistration_v1.wsdl")


@functools.cache
def rsz_protocol() -> etree.XMLSchema:
    path = rsz_file("presenceregistration", "v1", "PresenceRegistration_protocol_v1.xsd")
    return etree.XMLSchema(etree.parse(str(path), etree.XMLParser(no_network=True)))


@functools.cache
def rsz_errors() -> etree.XMLSchema:
    path = rsz_file(
        "platformintegrationconsumertest", "errors", "v1", "socsec-errors-schema-v1.xsd"
    )
    return etree.XMLSchema(etree.parse(str(path), etree.XMLParser(no_network=True)))


def url(gateway: RunningGateway) -> str:
    return gateway.url.replace("/PresenceRegistration/v1", PATH)


class RszValidation(Plugin):
    """Holds every answer the client receives, fault or not, against the RSZ's own XSDs."""

    def ingress(self, envelope: etree._Element, http_headers: Any, operation: Any) -> Any:
        body = envelope.find(f"{{{SOAP_ENV}}}Body")[0]
        if body.tag == f"{{{SOAP_ENV}}}Fault":
            rsz_errors().assertValid(body.find("detail")[0])
        else:
            rsz_protocol().assertValid(body)
        return envelope, http_headers


class RszClient:
    """A zeep client of the RSZ's WSDL as published, its address pointed at the gateway, and
    the raw answers it received, each of which must be valid against the RSZ's XSDs."""

    def __init__(
        self,
        gateway: RunningGateway,
        username: str = "badge-system",
        strict: bool = True,
        password: str = PASSWORD,
    ) -> None:
        self.history = HistoryPlugin(maxlen=1)
        client = zeep.Client(
            str(rsz_wsdl()),
            settings=zeep.Settings(strict=strict),
            wsse=UsernameToken(username, password, use_digest=True),
            plugins=[self.history, RszValidation()],
        )
        self.service = client.create_service(BINDING, url(gateway))

    def last_answer(self) -> etree._Element:
        """The body element of the last answer received."""
        envelope = self.history.last_received["envelope"]
        return envelope.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")[0]
