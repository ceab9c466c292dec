"""Settings of one gateway process, read from the environment once at start-up.

Every setting has a default that works on a developer's machine: a SQLite file under ``var/``.

The secret key's default place follows the database, never the current folder: ``secret.key``
next to a SQLite database file, so that every command run against that database, from any
folder, finds the key its accounts were made with; for any other database (PostgreSQL, SQLite
in memory) ``secret.key`` in the user's data folder (``~/.local/share/ciao-gateway`` on Linux).
Hosts that share a PostgreSQL database share the key through ``CIAO_SECRET_KEY_FILE``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_path
from sqlalchemy.engine import make_url

DEFAULT_DATABASE_URL = "sqlite:///var/ciao.db"
# The secret_key_file that stands for "the default place for this database".
NEXT_TO_DATABASE = Path()
ENVIRONMENTS = ("Development", "Test", "Integration", "Acceptation", "Simulation", "Production")


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    environment: str = "Simulation"
    secret_key_file: Path = NEXT_TO_DATABASE
    max_body_bytes: int = 2 * 1024 * 1024
    max_xml_depth: int = 32
    token_window_seconds: int = 300
    future_tolerance_seconds: int = 300
    # The address workers reach the pages at, printed in QR codes; None: the request's host.
    public_url: str | None = None
    secure_cookies: bool = False
    # How many reverse proxies in front set X-Forwarded-For and -Proto: the pages then count
    # their flood limits by the client's address, not the proxy's. 0: the headers are ignored.
    trusted_proxies: int = 0
    # registerPresences by the ingest path (gateway/soap/ingest.py); off: by Spyne alone.
    ingest_path: bool = True

    def __post_init__(self) -> None:
        if self.secret_key_file == NEXT_TO_DATABASE:
            object.__setattr__(self, "secret_key_file", default_key_file(self.database_url))

    @classmethod
    def from_environment(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {
            "database_url": env.get("CIAO_DATABASE_URL", DEFAULT_DATABASE_URL),
            "environment": env.get("CIAO_ENVIRONMENT", "Simulation"),
            "secret_key_file": Path(env.get("CIAO_SECRET_KEY_FILE", NEXT_TO_DATABASE)),
            "max_body_bytes": int(env.get("CIAO_MAX_BODY_BYTES", 2 * 1024 * 1024)),
            "token_window_seconds": int(env.get("CIAO_TOKEN_WINDOW_SECONDS", 300)),
            "public_url": env.get("CIAO_PUBLIC_URL") or None,
            "secure_cookies": env.get("CIAO_SECURE_COOKIES", "").lower() in ("1", "true", "yes"),
            "trusted_proxies": int(env.get("CIAO_TRUSTED_PROXIES", 0)),
            "ingest_path": env.get("CIAO_INGEST_PATH", "on").lower() not in ("0", "false", "off"),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)  # type: ignore[arg-type]
        if settings.environment not in ENVIRONMENTS:
            raise ValueError(
                f"CIAO_ENVIRONMENT={settings.environment!r} is not one of {', '.join(ENVIRONMENTS)}"
            )
        return settings


def default_key_file(database_url: str) -> Path:
    """Where the secret key of ``database_url`` is kept unless ``CIAO_SECRET_KEY_FILE`` says.

    >>> default_key_file("sqlite:////srv/ciao/ciao.db")
    PosixPath('/srv/ciao/secret.key')
    >>> default_key_file("postgresql://ciao@db/ciao").parent.name
    'ciao-gateway'
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(str(url.database)).absolute().parent / "secret.key"
    return user_data_path("ciao-gateway") / "secret.key"
