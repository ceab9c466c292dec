"""Every XML sample of docs/integration.md is valid against the published XSDs, and every
request sample is answered by a running gateway (in the order of the guide)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from gateway.services import accounts
from gateway.xml.contract import SCHEMA_DIR, ContractValidator, load_schema
from storage.database import transaction
from tests.soap import envelope, post

GUIDE = (Path(__file__).parents[1] / "docs" / "integration.md").read_text()
SAMPLES = re.findall(r"```xml\n(<!-- (\w+): (\w+).*? -->\n.*?)```", GUIDE, flags=re.S)
SOAP = "{http://schemas.xmlsoap.org/soap/envelope/}"
PROTOCOL = ContractValidator(SCHEMA_DIR / "PresenceRegistrationProtocol_v1.xsd")


def body_of(sample: str) -> etree._Element:
    root = etree.fromstring(sample.encode())
    if root.tag == SOAP + "Envelope":
        return root.find(SOAP + "Body")[0]
    return root


def test_the_guide_has_a_request_sample_for_every_operation():
    requests = {operation for _, kind, operation in SAMPLES if kind == "request"}
    assert requests == {
        "registerPresences",
        "getPresenceRegistration",
        "searchPresences",
        "requestCorrection",
        "cancelPresences",
        "exportPresences",
    }
    responses = {operation for _, kind, operation in SAMPLES if kind == "response"}
    assert responses == requests


@pytest.mark.parametrize(
    ("sample", "kind", "operation"), SAMPLES, ids=[f"{k} {o}" for _, k, o in SAMPLES]
)
def test_every_sample_is_valid_against_the_schemas(sample, kind, operation):
    element = body_of(sample)
    if kind == "fault":
        detail = element.find("detail")[0]
        load_schema(SCHEMA_DIR / "Errors_v1.xsd").assertValid(detail)
    else:
        assert PROTOCOL.errors(element) == []


def test_every_request_sample_is_answered_by_the_gateway(sqlite_gateway):
    with transaction(sqlite_gateway.engine) as connection:
        accounts.add(
            connection, sqlite_gateway.key, "demo", "demo-password", "0403170701", "EMPLOYER"
        )
    recent = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    for sample, kind, operation in SAMPLES:
        if kind != "request":
            continue
        sample = sample.replace("2026-11-27T", f"{recent}T")  # corrections need recent ones
        element = body_of(sample)
        data = (
            sample.encode()
            if element.getparent() is not None
            else envelope(sample, "demo", "demo-password")
        )
        reply = post(sqlite_gateway.url, data)
        assert reply.status == 200, (operation, reply.body[:500])
