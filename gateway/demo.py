"""A generated demo data set: enterprises, workers, employments, declarations of works with
subcontracting chains and one contract takeover, and a day of registrations, with valid
checksums and a few deliberate faults so that remarks show up. Loaded by ``make run``."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from gateway.domain.presence import presence
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
from gateway.domain.registration import RegistrationMeans, RegistrationType, SubmittedRegistration
from gateway.domain.workday import BELGIUM

FIRST_NAMES = (
    "Jan",
    "Sofie",
    "Mohamed",
    "Els",
    "Luc",
    "Fatima",
    "Pieter",
    "Nathalie",
    "Youssef",
    "An",
    "Kevin",
    "Marie",
    "Ahmed",
    "Lotte",
    "Thomas",
    "Julie",
)
LAST_NAMES = (
    "Peeters",
    "Janssens",
    "Maes",
    "Dubois",
    "Lambert",
    "El Amrani",
    "Claes",
    "Wouters",
    "Dupont",
    "Goossens",
    "Mertens",
    "Willems",
    "Martin",
    "Jacobs",
)
# The demo employer first (the `demo` account's enterprise), then the other companies of the
# chains; the last one closed its doors, a deliberate fault.
COMPANY_NAMES = (
    "Demo Cleaning",
    "Maes Schoonmaak",
    "Nettoyage Dubois",
    "Willems Facility Services",
    "Goossens Glazenwassers",
    "Propreté Lambert",
    "Claes Cleaning",
    "Martin Office Care",
    "Peeters Poetsdienst",
    "Janssens Hygiëne",
    "Mertens Industrial Cleaning",
    "Jacobs Nettoyage",
)
STREETS = ("Wetstraat", "Rue de la Loi", "Meir", "Veldstraat", "Boulevard d'Avroy", "Grote Markt")
TOWNS = (
    ("1000", "Brussel"),
    ("2000", "Antwerpen"),
    ("9000", "Gent"),
    ("4000", "Liège"),
    ("3000", "Leuven"),
    ("8000", "Brugge"),
)


def enterprise_number(seed: int) -> str:
    """A valid KBO/BCE number: 0 + 7 digits, then 97 - (first eight mod 97)."""
    first = 2_000_000 + seed * 7919 % 7_000_000
    return f"0{first:07d}{97 - int(f'0{first:07d}') % 97:02d}"


def national_number(birth: date, serial: int) -> str:
    """A valid national register number (births from 2000 use the '2' prefix rule)."""
    body = f"{birth:%y%m%d}{serial:03d}"
    base = int(("2" if birth.year >= 2000 else "") + body)
    return f"{body}{97 - base % 97:02d}"


def reference_data(employer: str, seed: int = 2024, workers: int = 60) -> ReferenceUpdate:
    rng = random.Random(seed)
    update = ReferenceUpdate()
    companies = [employer] + [enterprise_number(i) for i in range(1, len(COMPANY_NAMES))]
    for index, (number, name) in enumerate(zip(companies, COMPANY_NAMES, strict=True)):
        closed = date(2025, 12, 31) if index == 11 else None  # a deliberate fault: inactive
        update.enterprises.append(Enterprise(number, name, Period(date(2012, 1, 1), closed)))
    for serial in range(workers):
        birth = date(1960 + rng.randrange(45), rng.randrange(1, 13), rng.randrange(1, 28))
        inss = national_number(birth, 2 * serial + 1)
        if serial % 20 != 19:  # every twentieth worker is missing from the register
            update.persons.append(
                Person(inss, f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}")
            )
        update.employments.append(Employment(inss, companies[serial % 4], Period(date(2024, 1, 1))))
    update.limosa.append(LimosaDeclaration("LIM-DEMO-0001", Period(date(2026, 1, 1))))
    for index in range(1, 31):
        contractor = companies[index % 3]
        subcontractor = companies[3 + index % 6]
        street = rng.choice(STREETS)
        postal_code, town = rng.choice(TOWNS)
        update.declarations.append(
            Declaration(
                workplace_id=f"DW2026{index:06d}",
                contractor=contractor,
                valid=Period(date(2026, 1, 1)),  # open-ended: the demo outlives its year
                subject_to_registration=index != 13,  # a deliberate fault: site not subject
                chain=(ChainLink(contractor), ChainLink(subcontractor, contractor)),
                site_address=f"{street} {rng.randrange(1, 200)}, {postal_code} {town}",
            )
        )
    # A contract takeover: DW2026000003 of the demo employer moved to another contractor
    # from 1 November 2026.
    first = update.declarations[2]
    update.declarations[2] = Declaration(
        first.workplace_id,
        first.contractor,
        Period(date(2026, 1, 1), date(2026, 10, 31)),
        chain=first.chain,
        site_address=first.site_address,
    )
    update.declarations.append(
        Declaration(
            "DW2026100001",
            companies[10],
            Period(date(2026, 11, 1)),
            chain=(ChainLink(companies[10]),),
            takes_over=first.workplace_id,
            site_address=first.site_address,
        )
    )
    return update


def registrations(
    update: ReferenceUpdate, day: date, count: int = 40
) -> list[SubmittedRegistration]:
    """A worker day each for ``count`` workers of the demo employer: check-in, break, check-out."""
    employer = update.enterprises[0].number
    staff = [e.inss for e in update.employments if e.employer == employer][:count]
    workplaces = [d.workplace_id for d in update.declarations if employer in d.companies()]
    result = []
    for index, inss in enumerate(staff):
        workplace = workplaces[index % len(workplaces)]
        start = datetime.combine(day, time(6 + index % 4, 5 * (index % 12)), tzinfo=BELGIUM)
        events = [
            (RegistrationType.CHECK_IN, start),
            (RegistrationType.BREAK_START, start + timedelta(hours=4)),
            (RegistrationType.BREAK_END, start + timedelta(hours=4, minutes=30)),
        ]
        if index % 10 != 7:  # some forget to check out
            events.append((RegistrationType.CHECK_OUT, start + timedelta(hours=8)))
        for number, (kind, moment) in enumerate(events, start=1):
            result.append(
                SubmittedRegistration(
                    workplace_id=workplace,
                    registration_type=kind,
                    registered_at=moment,
                    means=RegistrationMeans.BADGE,
                    inss=inss,
                    company_id=employer,
                    device_id=f"reader-{workplace[-3:]}",
                    emergency_procedure=True,
                    client_reference=f"demo-{day:%Y%m%d}-{index:03d}-{number}",
                )
            )
    # Deliberate faults of an evening shift: the previous contractor after the takeover, an
    # unknown declaration number, and a worker unknown to the national register.
    evening = datetime.combine(day, time(18, 30), tzinfo=BELGIUM)
    stranger = national_number(date(1999, 9, 9), 997)
    for number, (workplace, inss) in enumerate(
        (("DW2026100001", staff[0]), ("DW2099000000", staff[1]), (workplaces[0], stranger))
    ):
        for kind, moment in (
            (RegistrationType.CHECK_IN, evening),
            (RegistrationType.CHECK_OUT, evening + timedelta(hours=1)),
        ):
            result.append(
                SubmittedRegistration(
                    workplace_id=workplace,
                    registration_type=kind,
                    registered_at=moment,
                    means=RegistrationMeans.TRACK_AND_TRACE,
                    inss=inss,
                    company_id=employer,
                    emergency_procedure=True,
                    client_reference=f"demo-{day:%Y%m%d}-f{number}-{kind.value[:7]}",
                )
            )
    return result


def site_of(update: ReferenceUpdate, contractor: str, day: date) -> str:
    """A declaration of works of ``contractor`` in force on ``day``, for the demo's examples."""
    return next(
        d.workplace_id
        for d in update.declarations
        if d.contractor == contractor and d.valid.covers(day) and d.subject_to_registration
    )


def presences(update: ReferenceUpdate, day: date, count: int = 12) -> list[SubmittedRegistration]:
    """Checkin@Work presences of ``day`` for ``count`` workers of the demo employer, and a few
    deliberate faults so that the v1 remarks show up: an unknown declaration number, a worker
    unknown to the national register, and a presence sent twice without a reference."""
    employer = update.enterprises[0].number
    staff = [e.inss for e in update.employments if e.employer == employer][:count]
    workplaces = [d.workplace_id for d in update.declarations if employer in d.companies()]
    result = [
        presence(
            day,
            workplaces[index % len(workplaces)],
            inss=inss,
            company_id=employer,
            client_reference=f"demo-v1-{day:%Y%m%d}-{index:03d}",
        )
        for index, inss in enumerate(staff)
    ]
    stranger = national_number(date(1999, 9, 9), 997)
    result += [
        presence(day, "DW2099000000", inss=staff[0], company_id=employer),
        presence(day, workplaces[0], inss=stranger, company_id=employer),
        presence(day, workplaces[1 % len(workplaces)], inss=staff[1], company_id=employer),
    ]
    return result


def today() -> date:
    return datetime.now(UTC).astimezone(BELGIUM).date()


def yesterday() -> date:
    return (datetime.now(UTC).astimezone(BELGIUM) - timedelta(days=1)).date()
