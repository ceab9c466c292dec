"""Data in and out: ``import`` of reference data, ``export`` of registrations, ``qr`` codes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

from tqdm import tqdm

from gateway import imports
from gateway.cli.common import CliError, migrated_engine, settings_of
from gateway.domain.consultation import ExportRequest
from gateway.domain.registration import Contract
from gateway.pages.qr import qr_code, registration_url
from gateway.services import export, reference, smartphone
from gateway.services.errors import ReferenceDataRefused
from gateway.xml.export import csv_lines, xml_lines

T = TypeVar("T")


def cmd_import(args: argparse.Namespace) -> None:
    settings = settings_of(args)
    path = Path(args.file)
    total = max(_count_lines(path) - 1, 0)
    # Progress bars only on a terminal (disable=None): in a log they would be fragments.
    with tqdm(
        total=total, unit="row", desc=f"checking {path.name}", file=sys.stderr, disable=None
    ) as bar:
        update = imports.read(args.kind, path, progress=lambda _: bar.update())
    engine = migrated_engine(settings)
    try:
        queued = reference.apply_in(engine, update, datetime.now(UTC))
    except ReferenceDataRefused as refused:  # nothing of the file was stored
        raise CliError(f"{path}: {refused}") from None
    print(
        f"imported {update.size()} {args.kind} from {path}; {queued} worker days queued "
        "for checking"
    )


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as handle:
            return sum(1 for _ in handle)
    except OSError:
        return 0


def cmd_export(args: argparse.Namespace) -> None:
    settings = settings_of(args)
    wanted = ExportRequest(
        start=_date(args.start),
        end=_date(args.end),
        format=args.format.upper(),
        company_id=args.company,
        workplace_id=args.workplace,
        # CSV holds every contract's registrations, marked; XML is CIaO's export format.
        contract=None if args.format.upper() == "CSV" else Contract.CIAO,
    )
    engine = migrated_engine(settings)
    output = Path(args.output or wanted.file_name)
    exported = 0
    with tqdm(
        unit=" registrations", desc=f"exporting to {output}", file=sys.stderr, disable=None
    ) as bar:

        def counted(rows: Iterable[T]) -> Iterator[T]:
            # Counted here: a bar that is off (not a terminal) counts nothing.
            nonlocal exported
            for row in rows:
                exported += 1
                bar.update()
                yield row

        if wanted.format == "CSV":
            lines = csv_lines(counted(export.csv_rows(engine, None, wanted)), contracts=True)
        else:
            lines = xml_lines(counted(export.registrations(engine, None, wanted)))
        with output.open("wb") as handle:
            for chunk in lines:
                handle.write(chunk)
    print(f"exported {exported} registrations of {wanted.start} to {wanted.end} to {output}")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def cmd_qr(args: argparse.Namespace) -> None:
    settings = settings_of(args)
    engine = migrated_engine(settings)
    if smartphone.site(engine, args.workplace_id) is None:
        raise CliError(
            f"there is no declaration of works {args.workplace_id} in {settings.database_url}; "
            "import it first (ciao-gateway import declarations FILE.csv)"
        )
    base = args.url or settings.public_url or "http://127.0.0.1:8000"
    kind = "png" if str(args.output or "").lower().endswith(".png") else "svg"
    output = Path(args.output or f"ciao-{args.workplace_id}.svg")
    output.write_bytes(qr_code(base, args.workplace_id, kind))
    print(f"{output}: QR code of {registration_url(base, args.workplace_id, scanned=True)}")
