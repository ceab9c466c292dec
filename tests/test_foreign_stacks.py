"""Strict SOAP stacks other than zeep build a client from the served WSDL and register:
Java JAX-WS (wsimport), the Node ``soap`` package and suds.

The tools come from the test command (`make test` installs the Node package; `.ci/run`
installs Debian's ``jaxws``). Where one is missing the test is skipped with the reason, except
when CIAO_REQUIRE_FOREIGN is set (CI), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree

from gateway.domain.workday import BELGIUM
from tests.checkinatwork import rsz_protocol, rsz_wsdl
from tests.checkinatwork import url as checkinatwork_url
from tests.conftest import NODE_MODULES, PASSWORD

HERE = Path(__file__).parent / "foreign"
JAVA_LIBS = Path("/usr/share/java")
JAXWS_RUNTIME = [
    "jaxws-api",
    "jaxws-rt",
    "jaxb-api",
    "jaxb-runtime",
    "jaxb-core",
    "jaxb-impl",
    "javax.xml.soap-api",
    "saaj-impl",
    "jws-api",
    "javax.activation",
    "istack-commons-runtime",
    "stax-ex",
    "streambuffer",
    "mimepull",
    "metro-policy",
    "gmbal",
    "glassfish-management-api",
    "geronimo-annotation-1.3-spec",
    "FastInfoset",
]


def missing(reason: str) -> None:
    if os.environ.get("CIAO_REQUIRE_FOREIGN"):
        pytest.fail(reason + " and CIAO_REQUIRE_FOREIGN is set")
    pytest.skip(reason)


def run(command: list[str], cwd: Path, **env: str) -> str:
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=180, env={**os.environ, **env}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_a_jax_ws_client_from_wsimport_registers(sqlite_gateway, tmp_path):
    if shutil.which("wsimport") is None or shutil.which("javac") is None:
        missing("wsimport (Debian package jaxws) or javac is not installed")
    run(
        [
            "wsimport",
            "-quiet",
            "-keep",
            "-d",
            str(tmp_path),
            "-p",
            "ciao.generated",
            sqlite_gateway.wsdl_url,
        ],
        tmp_path,
    )
    classpath = ":".join([str(tmp_path)] + [str(JAVA_LIBS / f"{jar}.jar") for jar in JAXWS_RUNTIME])
    run(
        ["javac", "-nowarn", "-cp", classpath, "-d", str(tmp_path), str(HERE / "JavaClient.java")],
        tmp_path,
    )
    out = run(
        ["java", "-cp", classpath, "JavaClient", sqlite_gateway.wsdl_url, "badge-system", PASSWORD],
        tmp_path,
    )
    assert out.strip() == "id 1 SUCCESSFULLY REGISTERED"
    assert sqlite_gateway.count() == 1


def test_a_jax_ws_client_of_the_rsz_wsdl_registers_gets_searches_and_cancels(
    sqlite_gateway, tmp_path
):
    """wsimport of the RSZ's own Checkin@Work WSDL, unchanged; every answer it received is
    valid against the RSZ's protocol XSD."""
    if shutil.which("wsimport") is None or shutil.which("javac") is None:
        missing("wsimport (Debian package jaxws) or javac is not installed")
    wsdl = rsz_wsdl()
    run(["wsimport", "-quiet", "-keep", "-d", str(tmp_path), str(wsdl)], tmp_path)
    classpath = ":".join([str(tmp_path)] + [str(JAVA_LIBS / f"{jar}.jar") for jar in JAXWS_RUNTIME])
    client = HERE / "CheckinAtWorkClient.java"
    run(["javac", "-nowarn", "-cp", classpath, "-d", str(tmp_path), str(client)], tmp_path)
    answers = tmp_path / "answers"
    answers.mkdir()
    served = checkinatwork_url(sqlite_gateway) + "?wsdl"
    today = datetime.now(BELGIUM).date().isoformat()
    out = run(
        [
            "java",
            "-cp",
            classpath,
            "CheckinAtWorkClient",
            served,
            "badge-system",
            PASSWORD,
            today,
            str(answers),
        ],
        tmp_path,
    )
    assert out.split("\n")[:4] == [
        "registered 1 SUCCESSFULLY REGISTERED sector 1",
        "got 1 company 403170701",
        "found 1",
        "cancelled SUCCESSFULLY CANCELLED",
    ]
    protocol = rsz_protocol()
    received = sorted(answers.iterdir())
    assert len(received) == 4
    for answer in received:
        protocol.assertValid(etree.parse(str(answer)))


def test_a_node_soap_client_registers(sqlite_gateway, tmp_path):
    if shutil.which("node") is None or not (NODE_MODULES / "soap").is_dir():
        missing(f"node or the soap package under {NODE_MODULES} is missing (make test installs it)")
    out = run(
        ["node", str(HERE / "node_client.js"), sqlite_gateway.wsdl_url, "badge-system", PASSWORD],
        tmp_path,
        NODE_PATH=str(NODE_MODULES),
    )
    assert out.strip() == "id 1 SUCCESSFULLY REGISTERED"
    assert sqlite_gateway.count() == 1


def test_a_suds_client_registers(sqlite_gateway):
    from suds.client import Client
    from suds.wsse import Security, UsernameToken

    client = Client(sqlite_gateway.wsdl_url, cache=None)
    security = Security()
    token = UsernameToken("badge-system", PASSWORD)
    token.setnonce()
    token.setcreated()
    security.tokens.append(token)
    client.set_options(wsse=security)
    registration = client.factory.create("ns1:PresenceRegistrationRequestType")
    registration.INSS = "85073003328"
    registration.CompanyID = "0403170701"
    registration.WorkPlaceId = "DW2026000001"
    registration.RegistrationType = "CHECK_IN"
    registration.RegistrationDateTime = "2026-11-27T07:00:00+01:00"
    registration.RegistrationMeans = "BADGE"
    answers = client.service.registerPresences([registration])
    stored = answers[0].PresenceRegistration
    assert stored.LastValidation.Status == "SUCCESSFULLY REGISTERED"
    assert sqlite_gateway.count() == 1
