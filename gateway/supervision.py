"""The check workers that ``ciao-gateway serve`` runs beside gunicorn, kept running.

gunicorn's master watches them as it watches its own workers (``gateway.server``): when one
exits, for whatever reason (a SIGKILL from the kernel's out-of-memory killer, a crash),
another is started after a pause that doubles while they keep dying young, up to a minute,
so that a worker that cannot start (its database unreachable) is not restarted in a busy
loop. Registrations are stored all the while; they wait in the check queue.

What the master knows is kept in memory it shares with gunicorn's workers (they are forked
from it), which answer ``/ready`` and ``/metrics`` from it.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

log = logging.getLogger("ciao.checks")

FIRST_PAUSE_SECONDS = 1.0
LONGEST_PAUSE_SECONDS = 60.0
# A worker that ran this long died of something new: the next pause is the first again.
STEADY_SECONDS = 60.0

_WANTED, _RUNNING, _RESTARTS = range(3)


class CheckWorkerStatus:
    """How many check workers ``serve`` runs, how many run now and how often one was
    started again; in shared memory, so that it is the same in every process forked after
    it was made."""

    def __init__(self, wanted: int) -> None:
        self._cells = multiprocessing.RawArray("q", 3)
        self._cells[_WANTED] = wanted

    @property
    def wanted(self) -> int:
        return int(self._cells[_WANTED])

    @property
    def running(self) -> int:
        return int(self._cells[_RUNNING])

    @property
    def restarts(self) -> int:
        return int(self._cells[_RESTARTS])

    def count(self, running: int, restarts: int) -> None:
        self._cells[_RUNNING] = running
        self._cells[_RESTARTS] = restarts

    def problem(self) -> str | None:
        """Why the registrations are not being checked, if they are not."""
        if self.wanted and not self.running:
            return (
                f"no check worker is running ({self.wanted} wanted, {self.restarts} restarts "
                "so far): registrations are stored but not checked"
            )
        return None


@dataclass
class _Place:
    """One of the check workers ``serve`` runs: the process in it, or when the next starts."""

    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    due: float = 0.0
    pause: float = FIRST_PAUSE_SECONDS


def _how(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with status {returncode}"


class CheckWorkerSupervisor:
    """Starts ``status.wanted`` processes of ``command`` and starts another whenever one
    exits. Called from gunicorn's master loop: ``reap`` when a child exited, ``start_due``
    on every turn of the loop (about once a second), ``stop`` when the gateway stops."""

    def __init__(
        self,
        command: Sequence[str],
        status: CheckWorkerStatus,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._command = list(command)
        self.status = status
        self._clock = clock
        self._places = [_Place() for _ in range(status.wanted)]
        self._restarts = 0
        self._stopping = False

    def start_due(self) -> None:
        now = self._clock()
        for place in self._places:
            if place.process is not None or now < place.due or self._stopping:
                continue
            try:
                place.process = subprocess.Popen(self._command)  # noqa: S603 (our own command)
            except OSError as error:  # no memory or processes left to start one: later
                place.due = now + place.pause
                place.pause = min(place.pause * 2, LONGEST_PAUSE_SECONDS)
                log.error("a check worker could not be started (%s)", error.strerror)
                continue
            place.started = now
            log.info("check worker started (pid %d)", place.process.pid)
        self._publish()

    def reap(self) -> None:
        """Notice the check workers that exited, and when each is to be started again.
        Asked before gunicorn's own reaping (``waitpid(-1)``), which would take their exit
        status too."""
        now = self._clock()
        for place in self._places:
            if place.process is None or place.process.poll() is None:
                continue
            lived = now - place.started
            if lived >= STEADY_SECONDS:
                place.pause = FIRST_PAUSE_SECONDS
            place.due = now + place.pause
            if not self._stopping:
                self._restarts += 1
                log.warning(
                    "check worker (pid %d) %s after %.0f s; another starts in %.0f s",
                    place.process.pid,
                    _how(place.process.returncode),
                    lived,
                    place.pause,
                )
            place.process = None
            place.pause = min(place.pause * 2, LONGEST_PAUSE_SECONDS)
        self._publish()

    def stop(self) -> None:
        """Ask every check worker to finish its batch and exit (SIGTERM); start no more."""
        self._stopping = True
        for place in self._places:
            if place.process is not None and place.process.poll() is None:
                place.process.terminate()

    def wait(self, timeout: float) -> None:
        """Wait for the check workers asked to stop; kill those still there after
        ``timeout`` seconds."""
        deadline = self._clock() + timeout
        for place in self._places:
            if place.process is None:
                continue
            try:
                place.process.wait(timeout=max(deadline - self._clock(), 0.0))
            except subprocess.TimeoutExpired:
                place.process.kill()
                place.process.wait()
        self.reap()

    def _publish(self) -> None:
        running = sum(place.process is not None for place in self._places)
        self.status.count(running, self._restarts)
