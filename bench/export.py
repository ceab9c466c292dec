"""Export memory: ``ciao-gateway export`` of 100 days for one enterprise with a million
registrations, in a process of its own whose peak resident memory is measured."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta

from bench.common import say, scratch
from storage.database import execute_many, transaction


def fill(engine, count: int) -> None:  # type: ignore[no-untyped-def]
    """``count`` registrations of enterprise 0403170701 spread over 100 days, inserted at the
    driver (the registration path is measured elsewhere)."""
    created = datetime.now(UTC).replace(tzinfo=None)
    start = datetime(2026, 8, 1, 0, 0)
    columns = (
        "id, inss, company_id, workplace_id, registration_type, registered_at, "
        "utc_offset_minutes, means, emergency_procedure, sender_id, sender_company_id, "
        "sender_user_type, channel, created_at, status, worker_key, work_day, "
        "validation_runs"
    )
    statement = f"INSERT INTO registrations ({columns}) VALUES ({', '.join(['?'] * 18)})"
    for first in range(0, count, 50_000):
        rows = []
        for i in range(first, min(first + 50_000, count)):
            moment = start + timedelta(minutes=i % 144_000)
            inss = f"{70_000_000_000 + i % 20_000:011d}"
            rows.append(
                (
                    i + 1,
                    inss,
                    "0403170701",
                    f"DW{i % 500:011d}",
                    "CHECK_IN",
                    moment,
                    60,
                    "BADGE",
                    False,
                    "bench",
                    "0403170701",
                    "EMPLOYER",
                    "WEBSERVICE",
                    created,
                    "VALIDATED",
                    "N:" + inss,
                    moment.date(),
                    1,
                )
            )
        with transaction(engine) as connection:
            execute_many(connection, statement, rows, temporal=(5, 13, 16))
        say(f"  export data: {min(first + 50_000, count)} registrations")


# The launcher runs a command and prints the peak resident memory of that command alone.
# Linux hands a process that execs the peak of the one it was forked from (getrusage's
# ru_maxrss), so a command started straight from this process, which holds the million rows
# it inserted and every scenario before, reports this process's peak instead of its own.
# Forked from this small launcher, the export inherits only the launcher's few MiB.
_LAUNCHER = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_rss_mib(command: list[str]) -> float:
    """Run ``command`` (its output discarded) and return its peak resident memory."""
    launched = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *command],
        check=True,
        capture_output=True,
        text=True,
        env=dict(os.environ),
    )
    return int(launched.stdout) / 1024


def measure(count: int) -> dict[str, float]:
    say(f"export: {count} registrations of one enterprise over 100 days ...")
    place = scratch("sqlite")
    try:
        fill(place.engine, count)
        output = place.settings.secret_key_file.parent / "export.csv"
        started = time.perf_counter()
        peak_mib = peak_rss_mib(
            [
                sys.executable,
                "-m",
                "gateway.cli",
                "export",
                "--from",
                "2026-08-01",
                "--to",
                str(date(2026, 8, 1) + timedelta(days=99)),
                "--company",
                "0403170701",
                "--database",
                place.settings.database_url,
                "--output",
                str(output),
            ]
        )
        seconds = time.perf_counter() - started
        lines = sum(1 for _ in output.open("rb")) - 1
    finally:
        place.cleanup()
    return {
        "registrations": lines,
        "seconds": seconds,
        "peak_rss_mib": peak_mib,
        "registrations_per_s": lines / seconds,
    }
