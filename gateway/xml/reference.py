"""Codec of the administration contract: validated XML to reference data updates."""

from __future__ import annotations

from lxml import etree

from gateway.domain.reference import (
    ChainLink,
    Declaration,
    Employment,
    Enterprise,
    LimosaDeclaration,
    Period,
    Person,
    ReferenceUpdate,
)
from gateway.domain.registration import Sector
from gateway.xml.contract import read_date

NS_ADMIN_TYPES = "urn:ciao:administration:schemas:v1"
_P = "{" + NS_ADMIN_TYPES + "}"
_PLEN = len(_P)


def _fields(element: etree._Element) -> dict[str, str]:
    return {child.tag[_PLEN:]: (child.text or "").strip() for child in element}


def _period(fields: dict[str, str], start: str, end: str) -> Period:
    until = fields.get(end)
    return Period(read_date(fields[start]), read_date(until) if until else None)


def read_update(element: etree._Element) -> ReferenceUpdate:
    update = ReferenceUpdate()
    for child in element:
        kind = child.tag[_PLEN:]
        f = _fields(child)
        if kind == "Enterprise":
            update.enterprises.append(
                Enterprise(f["CompanyID"], f["Name"], _period(f, "ActiveFrom", "ActiveUntil"))
            )
        elif kind == "Person":
            update.persons.append(Person(f["INSS"], f["Name"]))
        elif kind == "LimosaDeclaration":
            update.limosa.append(
                LimosaDeclaration(f["LimosaId"], _period(f, "ValidFrom", "ValidUntil"))
            )
        elif kind == "Declaration":
            chain = tuple(
                ChainLink(link["CompanyID"], link["ParentCompanyID"])
                for link in (_fields(s) for s in child.iterfind(_P + "Subcontractor"))
            )
            update.declarations.append(
                Declaration(
                    workplace_id=f["WorkPlaceId"],
                    contractor=f["ContractorCompanyID"],
                    valid=_period(f, "ValidFrom", "ValidUntil"),
                    subject_to_registration=f["SubjectToRegistration"] in ("true", "1"),
                    chain=(ChainLink(f["ContractorCompanyID"]), *chain),
                    takes_over=f.get("TakesOver") or None,
                    site_address=f.get("SiteAddress", ""),
                    sector=Sector(int(f["Sector"])) if "Sector" in f else None,
                )
            )
        elif kind == "Employment":
            update.employments.append(
                Employment(f["INSS"], f["CompanyID"], _period(f, "ValidFrom", "ValidUntil"))
            )
    return update


def write_update_response(stored: int, queued: int) -> str:
    return (
        f'<UpdateReferenceDataResponse xmlns="{NS_ADMIN_TYPES}">'
        f"<EntriesStored>{stored}</EntriesStored><WorkerDaysQueued>{queued}</WorkerDaysQueued>"
        "</UpdateReferenceDataResponse>"
    )
