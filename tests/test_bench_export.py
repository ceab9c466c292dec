"""The export benchmark reports the export's own peak memory, not that of the benchmark
process it was started from."""

from __future__ import annotations

import sys

from bench.export import peak_rss_mib

BALLAST_MIB = 200


def test_a_commands_peak_memory_leaves_out_the_benchmark_processs_own():
    ballast = bytearray(BALLAST_MIB * 2**20)
    for page in range(0, len(ballast), 4096):
        ballast[page] = 1  # resident, as the million rows the benchmark inserted were
    small = peak_rss_mib([sys.executable, "-c", "pass"])
    grown = peak_rss_mib(
        [
            sys.executable,
            "-c",
            "kept = bytearray(60 * 2**20); kept[::4096] = b'x' * len(kept[::4096])",
        ]
    )
    assert small < 40, small  # an interpreter alone, not the 200 MiB here
    assert 50 < grown - small < 80, (small, grown)  # its own 60 MiB
    del ballast
