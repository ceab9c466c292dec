"""The gateway as users run it: ``ciao-gateway serve`` (gunicorn) in a process of its own on a
free loopback port, waited for on a condition with a deadline, never a fixed sleep."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from storage.database import create_database_engine, reading


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], deadline: float) -> bytes:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return response.read()
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"{url} did not answer in time")


def wait_until(condition: Callable[[], object], seconds: float, what: str) -> None:
    """Wait for ``condition`` to hold, at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        time.sleep(0.05)


class Gateway:
    """``ciao-gateway serve --demo`` in a process of its own, on a free loopback port."""

    def __init__(
        self, folder: Path, workers: int = 1, check_workers: int = 1, database: str | None = None
    ) -> None:
        self.workers = workers
        self.check_workers = check_workers
        self.port = free_port()
        self.database = database or f"sqlite:///{folder / 'ciao.db'}"
        self.env = dict(os.environ, CIAO_SECRET_KEY_FILE=str(folder / "secret.key"))
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/PresenceRegistration/v1"
        self.log = folder / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gateway.cli",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--check-workers",
                str(self.check_workers),
                "--demo",
                "--database",
                self.database,
            ],
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("ab"),
            env=self.env,
        )
        wait_for(self.url + "?wsdl", self.process, time.monotonic() + 30)

    def child_pids(self) -> list[int]:
        """The pids of the processes ``serve`` started: gunicorn's workers and check workers."""
        assert self.process is not None
        master = self.process.pid
        return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]

    def check_worker_pids(self) -> list[int]:
        """The pids of the check workers (``python -m gateway.cli worker``) ``serve`` runs."""
        found = []
        for pid in self.child_pids():
            try:
                arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except FileNotFoundError:  # exited meanwhile
                continue
            if arguments[3:4] == [b"worker"]:
                found.append(pid)
        return found

    def gunicorn_worker_pids(self) -> list[int]:
        checking = set(self.check_worker_pids())
        return [pid for pid in self.child_pids() if pid not in checking]

    def stop(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)

    def rows(self, where: str) -> list[tuple]:  # type: ignore[type-arg]
        engine = create_database_engine(self.database)
        with reading(engine) as connection:  # staged registrations merged, as the gateway reads
            found = connection.execute(
                text(
                    "SELECT client_reference, registered_at, utc_offset_minutes, "
                    f"emergency_procedure FROM registrations WHERE {where} ORDER BY registered_at"
                )
            ).all()
        engine.dispose()
        return [tuple(row) for row in found]
