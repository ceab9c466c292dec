"""The signing benchmark times requests the gateway accepts: a refused one would raise, and
its figure would be the cost of a fault."""

from __future__ import annotations

from bench import signing


def test_the_signed_single_registrations_of_the_benchmark_are_accepted():
    figures = signing.measure(repeat=10)
    assert figures["signed_ms"] > 0 and figures["password_ms"] > 0
    assert figures["signed_bytes"] > 3000  # a token, a Timestamp and a signature
