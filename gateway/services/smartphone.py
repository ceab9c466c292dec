"""What the smartphone page and the management pages ask of the registries: a declaration
with the names of its enterprises, and the declarations whose QR codes an enterprise prints.
The worker's page never asks who employs a national number (``gateway.domain.smartphone``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from gateway.domain.reference import Declaration
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


def printable(connection: Connection, company: str) -> list[Declaration]:
    """The declarations whose chain holds ``company``: their QR codes are its to print."""
    return reference.declarations_in_chain_of(connection, company)
