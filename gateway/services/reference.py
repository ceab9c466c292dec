"""Maintaining the reference registries (operators only), and queueing the worker days whose
registrations depend on what changed, so their remarks are computed again."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection

from gateway.domain.reference import ReferenceUpdate
from gateway.services import units
from gateway.services.errors import ReferenceDataRefused
from storage import queue, reference


def apply(connection: Connection, update: ReferenceUpdate, now: datetime) -> int:
    """Store ``update``; returns how many worker days were queued for checking again.
    Nothing of an update with problems is stored (``ReferenceDataRefused``)."""
    problems = update.problems()
    if problems:
        raise ReferenceDataRefused(problems)
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


# ``apply`` in a transaction of its own (the command line's import).
apply_in = units.writing(apply)
