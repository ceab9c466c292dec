"""``ciao-gateway serve`` keeps its check worker running: one killed with SIGKILL is started
again, after a pause that grows while they keep dying young; in the gap ``/ready`` and
``/metrics`` say that none runs, and what was registered meanwhile is checked once one runs
again, as is what is sent after."""

from __future__ import annotations

import os
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

from sqlalchemy import text

from storage.database import create_database_engine, reading
from tests.processes import Gateway, wait_until
from tests.soap import NS, envelope, post
from tests.test_metrics import scrape, value

INSS = "85073003328"


def register(gateway: Gateway, reference: str) -> None:
    body = (
        f'<RegisterPresencesRequest xmlns="{NS["p"]}"><PresenceRegistrationRequest>'
        f"<INSS>{INSS}</INSS><CompanyID>0403170701</CompanyID>"
        "<WorkPlaceId>DW2026000001</WorkPlaceId><RegistrationType>CHECK_IN</RegistrationType>"
        "<RegistrationDateTime>2026-11-26T07:00:00+01:00</RegistrationDateTime>"
        "<RegistrationMeans>BADGE</RegistrationMeans><ClientPresenceRegistrationReference>"
        f"{reference}</ClientPresenceRegistrationReference></PresenceRegistrationRequest>"
        "</RegisterPresencesRequest>"
    )
    reply = post(gateway.url, envelope(body, "demo", "demo-password"))
    assert reply.status == 200, reply.body


def checked(gateway: Gateway, reference: str) -> bool:
    engine = create_database_engine(gateway.database)
    with reading(engine) as connection:
        runs = connection.execute(
            text("SELECT validation_runs FROM registrations WHERE client_reference = :r"),
            {"r": reference},
        ).scalar_one_or_none()
    engine.dispose()
    return bool(runs)


def niceness(pid: int, thread: int | None = None) -> int:
    """The nice value of a process (its first thread's) or of one of its threads, as ps shows
    it (field 19 of /proc/PID/stat)."""
    stat = Path(f"/proc/{pid}/task/{thread or pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[16])


def thread_niceness(pid: int) -> list[int]:
    """The nice value of each thread of process ``pid``."""
    return sorted(niceness(pid, int(t.name)) for t in Path(f"/proc/{pid}/task").iterdir())


def ready(gateway: Gateway) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(gateway.base + "/ready", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def replacement(gateway: Gateway, killed: int) -> int:
    """Wait for the check worker started after ``killed``; its pid."""
    wait_until(
        lambda: [p for p in gateway.check_worker_pids() if p != killed], 30, "a new check worker"
    )
    (pid,) = gateway.check_worker_pids()
    return pid


def test_a_killed_check_worker_is_started_again_and_the_checks_resume(tmp_path):
    gateway = Gateway(tmp_path, workers=1, check_workers=1)
    gateway.start()
    try:
        wait_until(lambda: gateway.check_worker_pids(), 30, "the check worker's start")
        (worker,) = gateway.check_worker_pids()
        register(gateway, "before")
        wait_until(lambda: checked(gateway, "before"), 30, "the first check")
        # The worker writes at the requests' priority; it checks on a thread 19 lower.
        requests = niceness(gateway.gunicorn_worker_pids()[0])
        assert niceness(worker) == requests
        assert min(requests + 19, 19) in thread_niceness(worker)
        assert ready(gateway)[0] == 200

        gaps = []
        for _ in range(2):  # dying young twice: the pause doubles
            killed_at = time.monotonic()
            os.kill(worker, signal.SIGKILL)
            worker = replacement(gateway, worker)
            gaps.append(time.monotonic() - killed_at)
        assert gaps[0] >= 1 and gaps[1] >= 2, gaps

        os.kill(worker, signal.SIGKILL)  # the pause is now 4 s
        wait_until(lambda: ready(gateway)[0] == 503, 3, "/ready saying no check worker runs")
        status, reason = ready(gateway)
        samples = scrape(gateway.base)
        register(gateway, "in-the-gap")
        assert not gateway.check_worker_pids(), "the gap ended before the registration was sent"
        assert status == 503
        assert "no check worker is running" in reason
        assert value(samples, "ciao_check_workers_running") == 0
        assert value(samples, "ciao_check_worker_restarts_total") == 3
        assert not checked(gateway, "in-the-gap")

        replacement(gateway, worker)
        wait_until(lambda: checked(gateway, "in-the-gap"), 30, "checking what came in the gap")
        register(gateway, "after")
        wait_until(lambda: checked(gateway, "after"), 30, "checking what came after")
        assert ready(gateway)[0] == 200
        assert value(scrape(gateway.base), "ciao_check_workers_running") == 1
    finally:
        gateway.stop()
    log = gateway.log.read_text()
    assert log.count("was killed by SIGKILL") == 3
    assert "another starts in 4 s" in log
    assert INSS not in log
