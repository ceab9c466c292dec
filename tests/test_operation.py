"""Liveness and readiness endpoints for load balancers and orchestrators."""

from __future__ import annotations

import urllib.error
import urllib.request

from sqlalchemy import text


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_health_and_readiness_answer_while_the_database_is_current(gateway):
    base = gateway.url.rsplit("/PresenceRegistration", 1)[0]
    assert get(base + "/health") == (200, "ok\n")
    assert get(base + "/ready") == (200, "ready\n")


def test_readiness_fails_when_the_schema_is_behind(gateway):
    base = gateway.url.rsplit("/PresenceRegistration", 1)[0]
    with gateway.engine.begin() as connection:
        head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    try:
        status, body = get(base + "/ready")
        assert get(base + "/health")[0] == 200
    finally:
        with gateway.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert status == 503
    assert "ciao-gateway migrate" in body


def test_a_fault_ticket_is_the_request_id_of_the_answer_and_of_the_log(gateway, caplog):
    import json
    import logging

    from gateway.logs import JsonFormatter
    from tests.soap import envelope, post, register_body

    caplog.set_level(logging.INFO, logger="ciao")
    reply = post(gateway.url, envelope(register_body(1).replace("85073003328", "123")))
    ticket = reply.xml.find(".//{urn:ciao:errors:v1}BusinessError").get("Id")
    request_id = next(
        r.request_id for r in caplog.records if r.name == "ciao.access" and r.status == 500
    )
    assert ticket == request_id
    fault_lines = [r for r in caplog.records if r.name == "ciao.soap"]
    line = json.loads(JsonFormatter().format(fault_lines[-1]))
    assert line["request_id"] == ticket
    assert line["level"] == "INFO" and "Client.SchemaValidation" in line["message"]


def test_every_answer_carries_its_request_id(gateway):
    import urllib.request

    with urllib.request.urlopen(gateway.wsdl_url, timeout=10) as response:
        assert len(response.headers["X-Request-Id"]) == 32
