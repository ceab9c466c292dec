"""Export time and memory: ``ciao-gateway export`` of 100 days for one enterprise with a
million registrations (``bench.dataset``), in a process of its own whose peak resident memory
is measured."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

from bench.common import Scratch, say
from bench.dataset import COMPANY, DAYS, FIRST_DAY

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


def measure(place: Scratch) -> dict[str, float]:
    """The export of every registration of ``place`` (filled by ``bench.dataset``)."""
    say("export: the registrations of one enterprise over 100 days ...")
    output = place.settings.secret_key_file.parent / "export.csv"
    started = time.perf_counter()
    peak_mib = peak_rss_mib(
        [
            sys.executable,
            "-m",
            "gateway.cli",
            "export",
            "--from",
            str(FIRST_DAY),
            "--to",
            str(FIRST_DAY + timedelta(days=DAYS - 1)),
            "--company",
            COMPANY,
            "--database",
            place.settings.database_url,
            "--output",
            str(output),
        ]
    )
    seconds = time.perf_counter() - started
    lines = sum(1 for _ in output.open("rb")) - 1
    return {
        "registrations": lines,
        "seconds": seconds,
        "peak_rss_mib": peak_mib,
        "registrations_per_s": lines / seconds,
    }
