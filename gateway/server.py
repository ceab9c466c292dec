"""Running the gateway under gunicorn (production mode, also what ``make run`` starts)."""

from __future__ import annotations

import gc
from typing import Any

from gunicorn.app.base import BaseApplication

from gateway.bootstrap import create_app
from gateway.config import Settings


class GunicornServer(BaseApplication):
    """gunicorn with the gateway as its application; every worker builds its own engine."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self._settings = settings
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for name, value in self._options.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        app = create_app(self._settings)
        # What the worker built so far lives as long as it does. Frozen, it is left out of the
        # collector's full passes, which otherwise took tens of milliseconds out of a request
        # now and then (about one request in a hundred batches).
        gc.freeze()
        return app


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    GunicornServer(
        settings,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "sync",
            "timeout": 60,
            "graceful_timeout": 30,
            "control_socket_disable": True,
            "errorlog": "-",
            "loglevel": "info",
        },
    ).run()
