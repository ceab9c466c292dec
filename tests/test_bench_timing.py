"""The ratios' two sides are timed in turns of consecutive calls: each side in the steady
state of its own calls, both through the same spells of the machine."""

from __future__ import annotations

from bench import common


def test_each_side_is_timed_in_runs_of_its_own_calls_taken_in_turns():
    order: list[str] = []
    calls = {name: (lambda name=name: order.append(name)) for name in ("stock", "ours")}
    medians = common.median_seconds(calls, repeat=2 * common.RUN)
    assert set(medians) == {"stock", "ours"}
    timed = order[2:]  # after one warming call of each
    run = common.RUN
    assert timed == (["stock"] * run + ["ours"] * run) * 2
