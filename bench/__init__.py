"""Benchmarks of the gateway (`make bench`, docs/performance.md)."""

# bench.stock imports spyne before the gateway: on Python 3.12 and 3.13 spyne needs this first.
from gateway import spyne_compat  # noqa: F401
