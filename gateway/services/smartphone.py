"""What the smartphone page and the management pages ask of the registries: a declaration
with the names of its enterprises, the employers a worker chooses from (Q4), and the
declarations whose QR codes an enterprise prints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from gateway.domain.reference import Declaration
from gateway.domain.smartphone import employers_on
from storage import reference


@dataclass(frozen=True)
class Site:
    """A declaration of works as its page shows it."""

    declaration: Declaration
    names: dict[str, str]  # enterprise number -> name, for the enterprises of its chain


def site(connection: Connection, workplace_id: str) -> Site | None:
    found = reference.declaration(connection, workplace_id)
    if found is None:
        return None
    return Site(found, reference.enterprise_names(connection, found.companies()))


def employers(connection: Connection, declaration: Declaration, inss: str, day: date) -> list[str]:
    """The enterprises of ``declaration`` the worker ``inss`` registers for on ``day``."""
    return employers_on(declaration, reference.employments_of(connection, inss), inss, day)


def printable(connection: Connection, company: str) -> list[Declaration]:
    """The declarations whose chain holds ``company``: their QR codes are its to print."""
    return reference.declarations_in_chain_of(connection, company)
