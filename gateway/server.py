"""Running the gateway under gunicorn (production mode, also what ``make run`` starts)."""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from gateway.bootstrap import create_app
from gateway.config import Settings
from gateway.supervision import CheckWorkerStatus, CheckWorkerSupervisor

GRACEFUL_SECONDS = 30


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
            "worker_class": "sync",
            "timeout": 60,
            "graceful_timeout": GRACEFUL_SECONDS,
            "control_socket_disable": True,
            "errorlog": "-",
            "loglevel": "info",
        },
        CheckWorkerSupervisor(check_worker, status),
    ).run()
