"""Maintaining the reference registries (operators only), and queueing the worker days whose
registrations depend on what changed, so their remarks are computed again."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection

from gateway.domain.reference import (
    Declaration,
    Employment,
    Enterprise,
    LimosaDeclaration,
    Person,
)
from storage import queue, reference


@dataclass(frozen=True)
class ReferenceUpdate:
    enterprises: list[Enterprise] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    limosa: list[LimosaDeclaration] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)
    employments: list[Employment] = field(default_factory=list)

    def size(self) -> int:
        return (
            len(self.enterprises)
            + len(self.persons)
            + len(self.limosa)
            + len(self.declarations)
            + len(self.employments)
        )


def apply(connection: Connection, update: ReferenceUpdate, now: datetime) -> int:
    """Store ``update``; returns how many worker days were queued for checking again."""
    reference.put_enterprises(connection, update.enterprises)
    reference.put_persons(connection, update.persons)
    reference.put_limosa(connection, update.limosa)
    reference.put_declarations(connection, update.declarations)
    reference.put_employments(connection, update.employments)

    workers = {"N:" + p.inss for p in update.persons}
    workers |= {"N:" + e.inss for e in update.employments}
    workers |= {"L:" + d.limosa_id for d in update.limosa}
    companies = {e.number for e in update.enterprises} | {e.employer for e in update.employments}
    workplaces = {d.workplace_id for d in update.declarations}
    if workplaces:  # a declaration that takes over a changed one may change too
        workplaces |= reference.taking_over(connection, workplaces)
    return queue.enqueue_dependents(
        connection, workers, companies, workplaces, now.astimezone(UTC).replace(tzinfo=None)
    )
