"""What every ``ciao-gateway`` command shares: its settings, its database, its errors."""

from __future__ import annotations

import argparse

from sqlalchemy import Engine

from gateway.config import Settings
from storage import migrate
from storage.database import create_database_engine


class CliError(Exception):
    pass


def settings_of(args: argparse.Namespace) -> Settings:
    try:
        return Settings.from_environment(database_url=getattr(args, "database", None))
    except ValueError as error:
        raise CliError(str(error)) from None


def migrated_engine(settings: Settings) -> Engine:
    engine = create_database_engine(settings.database_url)
    migrate.upgrade(engine)
    return engine
