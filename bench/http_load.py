"""HTTP: gunicorn with 2 workers (and, if asked, check workers) on loopback under a bounded
load of single-registration requests and of 200-registration batches, from load processes
on the same machine.
Every loop stops at its time limit or its request limit, whichever comes first."""

from __future__ import annotations

import http.client
import multiprocessing
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from bench.common import DAY, envelope, say, scratch

PATH = "/PresenceRegistration/v1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bodies(registrations: int, days: int) -> list[bytes]:
    """Requests of ``registrations`` registrations each, on ``days`` different work days, as
    senders send them: the same request sent over and over would add to the same worker
    days, which a check worker would then check again and again, ever longer."""
    return [envelope(registrations, day=DAY - timedelta(days=k)) for k in range(days)]


def _load(
    port: int,
    sent: list[bytes],
    seconds: float,
    limit: int,
    results: multiprocessing.Queue[object],
) -> None:
    latencies: list[float] = []
    errors = 0
    end = time.monotonic() + seconds
    turn = os.getpid()  # load processes start on different days
    while time.monotonic() < end and len(latencies) + errors < limit:
        turn += 1
        body = sent[turn % len(sent)]
        start = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request(
                "POST", PATH, body=body, headers={"Content-Type": "text/xml; charset=utf-8"}
            )
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status != 200:
                errors += 1
                continue
        except OSError:
            errors += 1
            continue
        latencies.append(time.perf_counter() - start)
    results.put((latencies, errors))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_cpu_seconds() -> float:
    """CPU time of the load processes that ended so far (this process's waited-for children;
    the gateway, still running, is not among them)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def children(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def is_check_worker(pid: int) -> bool:
    """Whether ``pid`` runs ``python -m gateway.cli worker`` (a check worker of ``serve``)."""
    return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[3:4] == [b"worker"]


def run_load(
    port: int, sent: list[bytes], registrations: int, seconds: float, clients: int, limit: int
) -> dict[str, float]:
    results: multiprocessing.Queue[object] = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=_load, args=(port, sent, seconds, limit // clients, results))
        for _ in range(clients)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    collected = [results.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(x for part, _ in collected for x in part)  # type: ignore[attr-defined]
    errors = sum(e for _, e in collected)  # type: ignore[misc]
    count = len(latencies)
    return {
        "requests": count,
        "errors": errors,
        "requests_per_s": count / elapsed,
        "registrations_per_s": count * registrations / elapsed,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p99_ms": latencies[int(0.99 * (count - 1))] * 1000 if latencies else 0.0,
    }


def queue_due(port: int) -> int:
    """Worker days due for checking, as ``/metrics`` says (``ciao_check_queue_days``)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:
        for line in response.read().decode().splitlines():
            if line.startswith('ciao_check_queue_days{state="due"}'):
                return int(float(line.split()[-1]))
    raise RuntimeError("/metrics gave no ciao_check_queue_days")


def catch_up(port: int, longest: float = 600) -> dict[str, float]:
    """How many worker days wait when the load stops, and how long the check workers take to
    empty the queue (at most ``longest`` seconds)."""
    stopped = time.monotonic()
    waiting = queue_due(port)
    due = waiting
    while due and time.monotonic() - stopped < longest:
        time.sleep(0.2)
        due = queue_due(port)
    return {"days_due": waiting, "seconds": time.monotonic() - stopped, "left": due}


@contextmanager
def running_gateway(workers: int, check_workers: int = 0) -> Iterator[tuple[int, list[int]]]:
    """``ciao-gateway serve`` on a scratch SQLite database and a free loopback port; yields
    the port and the pids of the gunicorn workers (and check workers, if any)."""
    place = scratch("sqlite")
    port = free_port()
    env = dict(os.environ, CIAO_SECRET_KEY_FILE=str(place.settings.secret_key_file))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gateway.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--check-workers",
            str(check_workers),
            "--database",
            place.settings.database_url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{PATH}?wsdl", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the gateway did not start") from None
                time.sleep(0.1)
        expected = workers + check_workers
        while len(pids := children(server.pid)) < expected and time.monotonic() < deadline:
            time.sleep(0.1)
        yield port, pids
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        place.cleanup()


# When, as a share of the batches' run, a worker's caches have filled: the memory sampled then
# is the one a worker must keep to the end.
WARM_SHARE = 0.2


def measure(seconds: float, workers: int = 2, check_workers: int = 0) -> dict[str, object]:
    with running_gateway(workers, check_workers) as (port, everyone):
        pids = [pid for pid in everyone if not is_check_worker(pid)]
        checkers = [pid for pid in everyone if is_check_worker(pid)]
        rss_start = sorted(rss_kib(pid) for pid in pids)
        say(f"HTTP: {seconds:.0f} s of single-registration requests, 4 clients ...")
        single = run_load(port, bodies(1, 1000), 1, seconds, clients=4, limit=200_000)
        caught_up = {}
        if checkers:  # each scenario starts with the queue empty, as without check workers
            caught_up["single"] = catch_up(port)
        say(f"HTTP: {seconds:.0f} s of 200-registration batches, 2 clients ...")
        warm: list[int] = []
        halfway: list[int] = []
        timers = [
            threading.Timer(
                seconds * share, lambda kept=kept: kept.extend(rss_kib(p) for p in pids)
            )
            for share, kept in ((WARM_SHARE, warm), (0.5, halfway))
        ]
        for timer in timers:
            timer.start()
        workers_cpu, load_cpu = sum(cpu_seconds(p) for p in pids), load_cpu_seconds()
        checks_cpu = sum(cpu_seconds(p) for p in checkers)
        batch = run_load(port, bodies(200, 100), 200, seconds, clients=2, limit=20_000)
        workers_cpu = sum(cpu_seconds(p) for p in pids) - workers_cpu
        load_cpu = load_cpu_seconds() - load_cpu
        checks_cpu = sum(cpu_seconds(p) for p in checkers) - checks_cpu
        if checkers:
            caught_up["batches"] = catch_up(port)
        for timer in timers:
            timer.cancel()
        rss_end = [rss_kib(pid) for pid in pids]
        # Where the two cores went: what bounds the batches' throughput.
        batches = max(int(batch["requests"]), 1)
        batch["worker_cpu_ms_per_batch"] = workers_cpu / batches * 1000
        batch["load_cpu_ms_per_batch"] = load_cpu / batches * 1000
        batch["check_worker_cpu_ms_per_batch"] = checks_cpu / batches * 1000
    return {
        "single": single,
        "batch": batch,
        # Per scenario, with check workers: the days due when its load stopped, and how long
        # the queue took to empty.
        "checks_caught_up": caught_up,
        "worker_rss_kib_start": rss_start,
        # Caches and allocator pools fill during the first seconds of batches; what counts is
        # whether a worker still grows from request to request after that.
        "worker_rss_kib_batch_warm": sorted(warm),
        "worker_rss_kib_batch_halfway": sorted(halfway),
        "worker_rss_kib_end": sorted(rss_end),
        # Per worker, warm and end in the order of ``pids``.
        "worker_rss_growth_kib_after_warm": max(
            (end - start for start, end in zip(warm, rss_end, strict=False)), default=0
        ),
    }
