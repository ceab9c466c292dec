"""Export files (CSV or XML) written row by row, and their streaming as base64 content."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Iterable, Iterator

from gateway.domain.registration import StoredRegistration
from gateway.xml.characters import well_formed
from gateway.xml.contract import NS_TYPES
from gateway.xml.registrations import format_datetime, stored_xml

CSV_COLUMNS = (
    "PresenceRegistrationId",
    "INSS",
    "CompanyID",
    "LimosaId",
    "WorkPlaceId",
    "RegistrationType",
    "RegistrationDateTime",
    "RegistrationMeans",
    "DeviceId",
    "EmergencyProcedure",
    "ClientPresenceRegistrationReference",
    "CreationDate",
    "Channel",
    "Status",
    "Remarks",
    "SenderId",
)


def _csv_row(r: StoredRegistration) -> list[object]:
    s = r.submitted
    return [
        r.id,
        s.inss or "",
        s.company_id or "",
        s.limosa_id or "",
        s.workplace_id,
        s.registration_type.value,
        format_datetime(s.registered_at),
        s.means.value,
        s.device_id or "",
        "true" if s.emergency_procedure else "false",
        s.client_reference or "",
        format_datetime(r.created_at),
        r.channel.value,
        r.last_validation.status.value,
        " ".join(m.code for m in r.last_validation.remarks),
        r.sender.sender_id,
    ]


def csv_lines(
    registrations: Iterable[StoredRegistration], rows_per_chunk: int = 500
) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for count, registration in enumerate(registrations, start=1):
        writer.writerow(_csv_row(registration))
        if count % rows_per_chunk == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def xml_lines(
    registrations: Iterable[StoredRegistration], rows_per_chunk: int = 200
) -> Iterator[bytes]:
    parts = [
        f'<?xml version="1.0" encoding="UTF-8"?><PresenceRegistrationExport xmlns="{NS_TYPES}">'
    ]
    for count, registration in enumerate(registrations, start=1):
        parts.append(stored_xml(registration, with_history=False))
        if count % rows_per_chunk == 0:
            yield well_formed("".join(parts)).encode()
            parts = []
    parts.append("</PresenceRegistrationExport>")
    yield well_formed("".join(parts)).encode()


def base64_chunks(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Base64 of the concatenated chunks, streamed (cut at multiples of three bytes)."""
    pending = b""
    for chunk in chunks:
        pending += chunk
        cut = len(pending) - len(pending) % 3
        if cut:
            yield base64.b64encode(pending[:cut])
            pending = pending[cut:]
    if pending:
        yield base64.b64encode(pending)
