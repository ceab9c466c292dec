"""The single-registration benchmark times requests the gateway stores: a refused one would
raise, and its figure would be the cost of a fault."""

from __future__ import annotations

from bench import single


def test_the_single_registrations_of_the_benchmark_are_accepted():
    figures = single.measure(requests=20)
    assert figures["referenced_cpu_ms"] > 0 and figures["unreferenced_cpu_ms"] > 0
