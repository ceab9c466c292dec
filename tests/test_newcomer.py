"""A newcomer's first hour: the README's examples against the demo data of ``make run``, the
front page, and what ``serve --help`` says of ``--demo``."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import subprocess
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from clients import cli as client_cli
from gateway import demo
from gateway.cli import build_parser
from gateway.cli.serving import DEMO_COMPANY, _ensure_demo
from gateway.domain.consultation import ExportRequest
from gateway.services.checking import CheckWorker

CHECKOUT = Path(__file__).resolve().parents[1]
README = (CHECKOUT / "README.md").read_text()
SERVED_URL = "http://127.0.0.1:8000/PresenceRegistration/v1"


@pytest.fixture(autouse=True)
def outbox(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """The client's outbox in the test's folder, not the user's data folder."""
    monkeypatch.setenv("CIAO_OUTBOX", str(tmp_path / "outbox.sqlite"))


@pytest.fixture
def demo_gateway(sqlite_gateway, capsys):  # type: ignore[no-untyped-def]
    """The gateway with what ``make run`` loads: the demo accounts and the demo data set."""
    _ensure_demo(sqlite_gateway.settings)
    capsys.readouterr()
    return sqlite_gateway


def check_all(gateway) -> None:  # type: ignore[no-untyped-def]
    worker = CheckWorker(gateway.engine)
    while worker.run_once():
        pass


def client(gateway, capsys, command: str) -> str:  # type: ignore[no-untyped-def]
    """Run a ``ciao-client`` line of the README against ``gateway``; what it printed."""
    arguments = shlex.split(command)[1:]
    assert client_cli.main(["--url", gateway.url, *arguments]) == 0, capsys.readouterr().err
    return str(capsys.readouterr().out)


def readme_block(language: str, after: str) -> str:
    found = re.search(f"{re.escape(after)}.*?```{language}\n(.*?)```", README, re.DOTALL)
    assert found is not None
    return found.group(1)


def test_the_readme_batch_is_validated_but_for_the_remark_it_shows_on_purpose(
    demo_gateway, capsys, monkeypatch
):
    monkeypatch.chdir(CHECKOUT)  # the README's paths are the checkout's
    lines = readme_block("sh", "Send a batch").splitlines()
    assert "every registration follows the contract" in client(demo_gateway, capsys, lines[0])
    sent = client(demo_gateway, capsys, lines[1])
    ids = dict(re.findall(r"\t(readme-\d+)\tid (\d+)\t", sent))
    assert len(ids) == 6
    check_all(demo_gateway)
    statuses = {
        reference: client(demo_gateway, capsys, lines[2].replace("ID", number))
        for reference, number in ids.items()
    }
    validated = [r for r, status in statuses.items() if "\tVALIDATED\tno remarks" in status]
    assert validated == ["readme-0001", "readme-0002", "readme-0003", "readme-0004"]
    assert all("\tFAILED\tREGISTERED_LATE" in statuses[r] for r in ("readme-0005", "readme-0006"))
    listed = client(demo_gateway, capsys, lines[3])
    assert sorted(re.findall(r"^(\d+)\t", listed, re.MULTILINE)) == sorted(
        ids[r] for r in ("readme-0005", "readme-0006")
    )


def test_the_readme_zeep_example_registers_a_presence_that_is_validated(demo_gateway, capsys):
    code = readme_block("python", "with zeep:")
    assert SERVED_URL in code
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code.replace(SERVED_URL, demo_gateway.url), {})  # the README's own code
    check_all(demo_gateway)
    status_line = readme_block("sh", "Send a batch").splitlines()[2]
    status = client(demo_gateway, capsys, status_line.replace("ID", printed.getvalue().strip()))
    assert "\tVALIDATED\tno remarks" in status


def test_the_readme_site_is_in_force_and_the_demo_companies_have_plain_names():
    data = demo.reference_data(DEMO_COMPANY)
    site = demo.site_of(data, DEMO_COMPANY, demo.yesterday())
    assert f"/r/{site} of the demo data" in README
    names = [enterprise.name for enterprise in data.enterprises]
    assert names[0] == "Demo Cleaning"
    assert not [name for name in names if name[-1].isdigit()]


def test_the_front_page_leads_to_the_management_pages_the_wsdls_and_the_docs(sqlite_gateway):
    base = sqlite_gateway.url.removesuffix("/PresenceRegistration/v1")
    with urllib.request.urlopen(base + "/") as answer:
        assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
        page = answer.read().decode()
    assert 'href="/manage"' in page
    assert 'href="/PresenceRegistration/v1?wsdl"' in page
    assert 'href="/Administration/v1?wsdl"' in page
    assert "docs/integration.md" in page


def test_serve_help_says_that_demo_also_loads_the_demo_data(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "also load the demo data set" in help_text


def test_exports_and_qr_codes_written_in_a_checkout_are_ignored_by_git():
    written = [
        ExportRequest(date(2026, 11, 1), date(2026, 11, 30), kind).file_name
        for kind in ("CSV", "XML")
    ] + ["ciao-DW2026000006.svg", "ciao-DW2026000006.png"]
    ignored = subprocess.run(
        ["git", "check-ignore", *written], cwd=CHECKOUT, capture_output=True, text=True
    ).stdout.split()
    assert ignored == written
