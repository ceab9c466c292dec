"""The pause before a dead check worker is started again: doubled while they keep dying
young, never over a minute, and back to a second after one ran steadily."""

from __future__ import annotations

import logging
import shutil
import time

from gateway.supervision import CheckWorkerStatus, CheckWorkerSupervisor

FAILING = [shutil.which("false") or "/bin/false"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def dies(supervisor: CheckWorkerSupervisor, status: CheckWorkerStatus) -> None:
    deadline = time.monotonic() + 10
    while status.running:
        assert time.monotonic() < deadline, "the check worker did not exit"
        time.sleep(0.01)
        supervisor.reap()


def pause_after_death(supervisor: CheckWorkerSupervisor, clock: Clock) -> float:
    """How long after its death the supervisor starts the next check worker."""
    died = clock.now
    status = supervisor.status
    for waited in range(0, 120):
        clock.now = died + waited
        supervisor.start_due()
        if status.running:
            return float(waited)
    raise AssertionError("no check worker was started within two minutes")


def test_the_pause_doubles_up_to_a_minute_and_starts_over_after_a_steady_run(caplog):
    clock = Clock()
    status = CheckWorkerStatus(1)
    supervisor = CheckWorkerSupervisor(FAILING, status, clock)
    supervisor.start_due()
    assert status.running == 1
    pauses = []
    with caplog.at_level(logging.INFO, logger="ciao.checks"):
        for _ in range(8):
            dies(supervisor, status)
            pauses.append(pause_after_death(supervisor, clock))
        clock.now += 60  # this one ran a minute before it died
        dies(supervisor, status)
        steady = pause_after_death(supervisor, clock)
        dies(supervisor, status)
    assert pauses == [1, 2, 4, 8, 16, 32, 60, 60]
    assert steady == 1
    assert status.restarts == 10
    assert "check worker (pid " in caplog.text
    assert "exited with status 1 after 60 s; another starts in 1 s" in caplog.text


def test_a_stopped_supervisor_starts_no_more_check_workers():
    clock = Clock()
    status = CheckWorkerStatus(2)
    supervisor = CheckWorkerSupervisor(FAILING, status, clock)
    supervisor.start_due()
    assert status.running == 2
    supervisor.stop()
    supervisor.wait(10)
    clock.now += 3600
    supervisor.start_due()
    assert (status.running, status.restarts) == (0, 0)
    assert status.problem() is not None
