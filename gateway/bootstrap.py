"""Wires the gateway together: settings -> engine -> services -> Spyne -> WSGI."""

from __future__ import annotations

import logging
from datetime import timedelta

from spyne import const as spyne_const
from spyne.server.wsgi import WsgiApplication
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from gateway import logs, metrics
from gateway.config import Settings
from gateway.pages.app import Pages
from gateway.services import accounts
from gateway.services.authentication import Authenticator
from gateway.soap.application import GatewayApplication
from gateway.soap.documents import ContractDocuments
from gateway.soap.endpoints import ENDPOINTS, PRESENCE_REGISTRATION, Endpoint
from gateway.soap.ingest import IngestPath
from gateway.supervision import CheckWorkerStatus
from gateway.web import GatewayWsgi, Route, WsgiApp
from storage import migrate
from storage.database import create_database_engine


def tune_spyne() -> None:
    """Spyne runs a full gc.collect() after a request at most once a second, to close file
    descriptors of uploads the gateway never receives; that pause lands on a random request's
    latency. Python's own collector is enough."""
    spyne_const.MIN_GC_INTERVAL = float("inf")
    quiet_spyne_logging()


def quiet_spyne_logging() -> None:
    # Spyne logs every client fault with a traceback; the gateway logs each fault once, with
    # its ticket, in gateway.soap.application.
    logging.getLogger("spyne.application.client").setLevel(logging.CRITICAL)
    logging.getLogger("spyne.application").setLevel(logging.CRITICAL)
    logging.getLogger("spyne.server.wsgi").setLevel(logging.ERROR)


def create_app(
    settings: Settings | None = None,
    engine: Engine | None = None,
    *,
    upgrade: bool = False,
    check_workers: CheckWorkerStatus | None = None,
) -> GatewayWsgi:
    """The WSGI application. ``upgrade`` runs the migrations first (development and tests;
    ``ciao-gateway serve`` migrates once before starting its workers). ``check_workers``:
    the check workers ``serve`` runs beside it, for ``/ready`` and ``/metrics``."""
    settings = settings or Settings.from_environment()
    engine = engine or create_database_engine(settings.database_url)
    if upgrade:
        migrate.upgrade(engine)
    tune_spyne()
    logs.stamp_request_ids()
    key = accounts.secret_key(engine, settings.secret_key_file)
    authenticator = Authenticator(key, timedelta(seconds=settings.token_window_seconds))
    routes = {
        endpoint.path: Route(
            soap_app(endpoint, engine, settings, authenticator),
            ContractDocuments(endpoint.wsdl),
            endpoint.title,
        )
        for endpoint in ENDPOINTS
    }
    metrics.watch_commits(engine)
    pages: WsgiApp = Pages(engine, settings, key, authenticator)
    if settings.trusted_proxies:  # the client's address and scheme, as the proxies saw them
        hops = settings.trusted_proxies
        pages = ProxyFix(pages, x_for=hops, x_proto=hops)
    return GatewayWsgi(
        routes,
        pages,
        settings.max_body_bytes,
        lambda: readiness(engine, check_workers),
        lambda: metrics.exposition(engine, check_workers),
    )


def soap_app(
    endpoint: Endpoint, engine: Engine, settings: Settings, authenticator: Authenticator
) -> WsgiApp:
    """The Spyne application of ``endpoint``; registrations go by the ingest path first."""
    application = GatewayApplication(engine, settings, authenticator, endpoint)
    spyne = WsgiApplication(application, max_content_length=settings.max_body_bytes)
    if endpoint is not PRESENCE_REGISTRATION or not settings.ingest_path:
        return spyne
    return IngestPath(
        spyne,
        engine,
        application.validator,
        authenticator,
        endpoint.roles,
        settings.max_xml_depth,
        settings.max_body_bytes,
        timedelta(seconds=settings.future_tolerance_seconds),
    )


def readiness(engine: Engine, check_workers: CheckWorkerStatus | None = None) -> str | None:
    """None when the database answers and is at the newest migration, and a check worker
    runs if ``serve`` runs any; else what is wrong."""
    try:
        if not migrate.is_current(engine):
            return "the database schema is not at the newest migration: run ciao-gateway migrate"
    except SQLAlchemyError as error:
        return f"the database does not answer ({type(error).__name__})"
    return check_workers.problem() if check_workers is not None else None
