"""Reference data the checks compare registrations with: the registries of enterprises
(KBO/BCE), persons (national register and BIS), Limosa declarations, declarations of works
with their chain of contractors, and employment relations (Dimona-like)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from gateway.domain.registration import Sector


@dataclass(frozen=True, slots=True)
class Period:
    """From ``start`` to ``end`` inclusive; open-ended when ``end`` is None."""

    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def backwards(self, start: str, end: str) -> list[str]:
        """Why the period is impossible, if it ends before it starts; ``start`` and ``end``
        name its bounds as the contract does."""
        if self.end is not None and self.end < self.start:
            return [f"{end} {self.end} is before {start} {self.start}"]
        return []


@dataclass(frozen=True, slots=True)
class Enterprise:
    number: str
    name: str
    active: Period


@dataclass(frozen=True, slots=True)
class Person:
    inss: str
    name: str


@dataclass(frozen=True, slots=True)
class LimosaDeclaration:
    limosa_id: str
    valid: Period


@dataclass(frozen=True, slots=True)
class ChainLink:
    """An enterprise in a declaration's chain; ``parent`` is the contractor it works for
    (None for the declaring contractor)."""

    company_id: str
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class Declaration:
    """A declaration of works: the job at a client's site that registrations refer to."""

    workplace_id: str
    contractor: str
    valid: Period
    subject_to_registration: bool = True
    chain: tuple[ChainLink, ...] = ()
    takes_over: str | None = None
    site_address: str = ""
    # The employment sector of a Checkin@Work site; None where the declaration names none.
    sector: Sector | None = None

    def companies(self) -> set[str]:
        return {self.contractor} | {link.company_id for link in self.chain}

    def problems(self) -> list[str]:
        """What makes the declaration impossible: a period backwards, a takeover of itself,
        or a chain that is not a tree under the contractor (an enterprise listed twice, or
        one whose ParentCompanyID does not lead to the contractor).

        >>> d = Declaration("W", "A", Period(date(2026, 1, 1)),
        ...                 chain=(ChainLink("A"), ChainLink("B", "A"), ChainLink("B", "A"),
        ...                        ChainLink("C", "D")))
        >>> for problem in d.problems(): print(problem)
        subcontractor B is listed twice
        subcontractor C's ParentCompanyID D does not lead to the contractor A
        """
        found = self.valid.backwards("ValidFrom", "ValidUntil")
        if self.takes_over == self.workplace_id:
            found.append("it takes over itself")
        parents: dict[str, str | None] = {}
        for link in self.chain:
            if link.company_id == self.contractor and link.parent is not None:
                found.append(f"the contractor {link.company_id} is also listed as a subcontractor")
            elif link.company_id in parents:
                found.append(f"subcontractor {link.company_id} is listed twice")
            else:
                parents[link.company_id] = link.parent
        for company, parent in parents.items():
            seen = {company}
            above = parent
            while above is not None and above not in seen and above != self.contractor:
                seen.add(above)
                above = parents.get(above)
            if parent is not None and above != self.contractor:
                found.append(
                    f"subcontractor {company}'s ParentCompanyID {parent} does not lead to the "
                    f"contractor {self.contractor}"
                )
        return found

    def above(self) -> set[tuple[str, str]]:
        """(viewer, company) for every contractor above a company in the chain: who may
        consult whose registrations (DOMAIN.md, Q14).

        >>> d = Declaration("W", "A", Period(date(2026, 1, 1)),
        ...                 chain=(ChainLink("A"), ChainLink("B", "A"), ChainLink("C", "B")))
        >>> sorted(d.above())
        [('A', 'B'), ('A', 'C'), ('B', 'C')]
        """
        parents = {link.company_id: link.parent for link in self.chain}
        pairs = set()
        for company in parents:
            seen = {company}
            parent = parents.get(company)
            while parent is not None and parent not in seen:
                pairs.add((parent, company))
                seen.add(parent)
                parent = parents.get(parent)
        return pairs


@dataclass(frozen=True, slots=True)
class Employment:
    inss: str
    employer: str
    valid: Period


@dataclass(frozen=True)
class ReferenceData:
    """What the registries say about the workers, enterprises and declarations of a set of
    registrations (loaded in bulk by storage; checks only read it)."""

    enterprises: dict[str, Enterprise] = field(default_factory=dict)
    persons: set[str] = field(default_factory=set)
    limosa: dict[str, LimosaDeclaration] = field(default_factory=dict)
    declarations: dict[str, Declaration] = field(default_factory=dict)
    employments: dict[str, list[Employment]] = field(default_factory=dict)


@dataclass(frozen=True)
class ReferenceUpdate:
    """A change to the registries, as the administration contract or a CSV import brings it:
    stored whole, or not at all when ``problems`` finds any."""

    enterprises: list[Enterprise] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    limosa: list[LimosaDeclaration] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)
    employments: list[Employment] = field(default_factory=list)

    def problems(self) -> list[str]:
        """What makes the update impossible, each naming its entry; empty when it is not."""
        found = [
            f"Enterprise {e.number}: {problem}"
            for e in self.enterprises
            for problem in e.active.backwards("ActiveFrom", "ActiveUntil")
        ]
        found += [
            f"LimosaDeclaration {d.limosa_id}: {problem}"
            for d in self.limosa
            for problem in d.valid.backwards("ValidFrom", "ValidUntil")
        ]
        found += [
            f"Declaration {d.workplace_id}: {problem}"
            for d in self.declarations
            for problem in d.problems()
        ]
        found += [
            f"Employment of {e.inss} by {e.employer}: {problem}"
            for e in self.employments
            for problem in e.valid.backwards("ValidFrom", "ValidUntil")
        ]
        return found

    def size(self) -> int:
        return (
            len(self.enterprises)
            + len(self.persons)
            + len(self.limosa)
            + len(self.declarations)
            + len(self.employments)
        )
