"""Running the gateway under gunicorn (production mode, also what ``make run`` starts)."""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Sequence
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.workers.gthread import ThreadWorker

from gateway.bootstrap import create_app
from gateway.config import Settings
from gateway.supervision import CheckWorkerStatus, CheckWorkerSupervisor

GRACEFUL_SECONDS = 30
# Threads of each worker: requests of the connections it keeps alive run on them, so that a
# client slow to send holds one thread, not the worker (docs/operations.md).
THREADS = 4
# How long a request may run before its worker takes new connections all the same.
SLOW_SECONDS = 1.0


class GatewayArbiter(Arbiter):
    """gunicorn's master, which also keeps the check workers running: it notices one exit
    before its own reaping would take the exit status, and starts those due on every turn
    of its loop, where it starts its own workers."""

    def __init__(self, app: GunicornServer, check_workers: CheckWorkerSupervisor) -> None:
        self.check_workers = check_workers
        super().__init__(app)

    def handle_chld(self) -> None:
        self.check_workers.reap()
        super().handle_chld()

    handle_cld = handle_chld  # gunicorn calls either name, as its own Arbiter says

    def manage_workers(self) -> None:
        self.check_workers.reap()
        self.check_workers.start_due()
        super().manage_workers()

    def stop(self, graceful: bool = True) -> None:
        self.check_workers.stop()
        super().stop(graceful)
        self.check_workers.wait(GRACEFUL_SECONDS)


class IdleAcceptingWorker(ThreadWorker):
    """gunicorn's ``gthread`` worker, which keeps connections alive (a badge system sending one
    registration at a time does not open a TCP connection for each; a connection waiting for
    its next request is watched by the worker's poller, not held by a thread), taking a new
    connection only when it has a moment to serve it.

    A kept-alive connection stays with the worker that accepted it, and gunicorn's worker
    accepts every connection it is woken for, however busy its threads: four connections
    opened at once all went to one of two workers, which queued their requests while the
    other had nothing to do. This one accepts only while it has a thread free and handles no
    request begun less than ``SLOW_SECONDS`` ago, so that new connections go to an idle worker
    where there is one, as with sync workers, and a request held up by a slow client does not
    keep its worker from taking new ones."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # When each request its threads handle now began, by connection (main thread only).
        self.begun: dict[int, float] = {}

    def may_accept(self) -> bool:
        if len(self.begun) >= self.cfg.threads:
            return False
        recent = time.monotonic() - SLOW_SECONDS
        return all(began <= recent for began in self.begun.values())

    def set_accept_enabled(self, enabled: bool) -> None:
        # gunicorn's loop asks for accepting again on every turn, at least once a second.
        super().set_accept_enabled(enabled and self.may_accept())

    def accept(self, listener: Any) -> None:
        if self.may_accept():  # the listener's wake-up may come after a request began
            super().accept(listener)

    def enqueue_req(self, conn: Any) -> None:
        self.begun[id(conn)] = time.monotonic()
        self.set_accept_enabled(False)
        super().enqueue_req(conn)

    def finish_request(self, conn: Any, fs: Any) -> None:
        self.begun.pop(id(conn), None)
        super().finish_request(conn, fs)
        if self.alive and self.nr_conns < self.worker_connections:
            self.set_accept_enabled(True)


class GunicornServer(BaseApplication):
    """gunicorn with the gateway as its application; every worker builds its own engine."""

    def __init__(
        self, settings: Settings, options: dict[str, Any], check_workers: CheckWorkerSupervisor
    ) -> None:
        self._settings = settings
        self._options = options
        self._check_workers = check_workers
        super().__init__()

    def load_config(self) -> None:
        for name, value in self._options.items():
            self.cfg.set(name, value)

    def run(self) -> None:
        try:
            GatewayArbiter(self, self._check_workers).run()
        except RuntimeError as error:  # as gunicorn's own run: a configuration it refused
            print(f"\nError: {error}\n", file=sys.stderr, flush=True)
            sys.exit(1)

    def load(self) -> Any:
        app = create_app(self._settings, check_workers=self._check_workers.status)
        # What the worker built so far lives as long as it does. Frozen, it is left out of the
        # collector's full passes, which otherwise took tens of milliseconds out of a request
        # now and then (about one request in a hundred batches).
        gc.freeze()
        return app


def serve(
    settings: Settings,
    host: str,
    port: int,
    workers: int,
    check_worker: Sequence[str],
    checkers: int,
) -> None:
    """gunicorn with ``workers`` workers, and ``checkers`` processes of the command
    ``check_worker`` kept running beside them."""
    status = CheckWorkerStatus(checkers)
    GunicornServer(
        settings,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": IdleAcceptingWorker,
            "threads": THREADS,
            "timeout": 60,
            "graceful_timeout": GRACEFUL_SECONDS,
            "control_socket_disable": True,
            "errorlog": "-",
            "loglevel": "info",
        },
        CheckWorkerSupervisor(check_worker, status),
    ).run()
