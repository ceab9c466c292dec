"""The bundled client: ``ciao-client submit`` of CSV and XML files against the real gateway."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from clients import cli
from clients.files import BatchFileError, read_batch
from clients.outbox import Outbox
from tests.builders import registration
from tests.conftest import DATA, DAY, PASSWORD


@pytest.fixture(autouse=True)
def outbox(tmp_path, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "outbox.sqlite"
    monkeypatch.setenv("CIAO_OUTBOX", str(path))
    return path


def run(gateway, *arguments: str) -> int:
    return cli.main(
        ["--url", gateway.url, "--username", "badge-system", "--password", PASSWORD, *arguments]
    )


@pytest.mark.parametrize(("name", "count"), [("registrations.csv", 5), ("registrations.xml", 3)])
def test_submit_prints_one_line_per_registration_and_a_summary(gateway, capsys, name, count):
    assert run(gateway, "submit", str(DATA / name)) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == count + 1
    assert all("SUCCESSFULLY REGISTERED" in line for line in out[:-1])
    assert out[-1] == f"{count} registrations: {count} registered, 0 refused, 0 kept in the outbox"
    assert gateway.count() == count


def test_a_csv_of_450_rows_is_sent_in_chunks_of_200(gateway, capsys, tmp_path):
    rows = [
        f"85073003328,0403170701,DW2026000001,CHECK_IN,2026-11-20T07:00:{i % 60:02d}+01:00,"
        f"BADGE,big-{i:04d}"
        for i in range(450)
    ]
    path = tmp_path / "big.csv"
    path.write_text(
        "INSS,CompanyID,WorkPlaceId,RegistrationType,RegistrationDateTime,"
        "RegistrationMeans,ClientPresenceRegistrationReference\n" + "\n".join(rows)
    )
    assert run(gateway, "submit", str(path)) == 0
    captured = capsys.readouterr()
    # stderr is not a terminal: no fragments of a progress bar
    assert "sending" not in captured.err
    assert "450/450" not in captured.err
    assert len(captured.out.splitlines()) == 451
    assert gateway.count() == 450


def test_validate_lists_every_error_of_a_batch_with_its_line_and_column(tmp_path, capsys):
    path = tmp_path / "two-bad.csv"
    path.write_text(
        "INSS,CompanyID,WorkPlaceId,RegistrationType,RegistrationDateTime,RegistrationMeans\n"
        "85073003328,0403170701,DW2026000001,CHECK_IN,2026-11-27T07:00:00+01:00,BADGE\n"
        "8507300332X,0403170701,DW2026000001,CHECK_IN,2026-11-27T07:00:00,BADGE\n"
        "85073003328,403170701,DW2026000001,CHECK_OUT,2026-11-27T15:00:00+01:00,BADGE\n"
    )
    assert cli.main(["validate", str(path)]) == 2  # no account needed, nothing sent
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert [line.split(": /")[0] for line in lines] == [
        f"{path}: line 3, column 1 (INSS)",
        f"{path}: line 3, column 5 (RegistrationDateTime)",
        f"{path}: line 4, column 2 (CompanyID)",
    ]
    assert "/PresenceRegistrationRequest[2]/RegistrationDateTime: " in lines[1]
    assert "3 errors; nothing was sent" in out.err


def test_validate_names_the_line_and_path_of_each_error_of_an_xml_batch(capsys):
    assert cli.main(["validate", str(DATA / "bad_time.xml")]) == 2
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(
        f"{DATA / 'bad_time.xml'}: line 8: "
        "/RegisterPresencesRequest/PresenceRegistrationRequest[1]/RegistrationDateTime: "
    )


def test_validate_passes_a_batch_that_follows_the_contract(capsys):
    assert cli.main(["validate", str(DATA / "registrations.csv")]) == 0
    assert "every registration follows the contract" in capsys.readouterr().out


def test_help_is_plain_text(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    help_text = capsys.readouterr().out
    assert "validate" in help_text
    assert "``" not in help_text


def test_the_outbox_is_one_per_user_wherever_the_client_runs(monkeypatch):
    monkeypatch.delenv("CIAO_OUTBOX")
    outbox = Path(cli.build_parser().parse_args(["flush"]).outbox)
    assert outbox.is_absolute()
    assert outbox.parent.name == "ciao-client"


def test_flush_points_at_an_outbox_an_earlier_version_kept_in_the_current_folder(
    tmp_path, monkeypatch, capsys, outbox
):
    monkeypatch.chdir(tmp_path)
    kept = [r.values for r in read_batch(DATA / "registrations.csv")]
    Outbox(Path("ciao-outbox.sqlite")).keep(kept)
    code = cli.main(["--username", "u", "--password", "p", "flush"])
    assert code == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == "the outbox is empty"
    assert (
        f"{tmp_path / 'ciao-outbox.sqlite'}, the outbox of an earlier ciao-client, holds 5 "
        "registrations; send them with 'ciao-client --outbox ciao-outbox.sqlite flush'"
    ) in captured.err


def test_an_export_without_output_is_written_in_the_current_folder_only(
    tmp_path, monkeypatch, capsys
):
    class Gateway:
        def export(self, *_):  # type: ignore[no-untyped-def]
            return SimpleNamespace(FileName="../../presences.csv", Content=b"INSS\n")

    monkeypatch.setattr(cli, "_client", lambda args: Gateway())
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    arguments = ["--username", "u", "--password", "p", "export", "--from", "2026-11-01"]
    assert cli.main([*arguments, "--to", "2026-11-30"]) == 0
    assert [p.name for p in tmp_path.rglob("*.csv")] == ["presences.csv"]
    assert (tmp_path / "here" / "presences.csv").read_bytes() == b"INSS\n"


def test_status_shows_a_registration(gateway, capsys):
    run(gateway, "submit", str(DATA / "registrations.xml"))
    capsys.readouterr()
    assert run(gateway, "status", "1") == 0
    assert capsys.readouterr().out.startswith("id 1\tSUCCESSFULLY REGISTERED")


def test_a_bad_csv_names_the_file_line_and_column(gateway, capsys):
    assert run(gateway, "submit", str(DATA / "bad_inss.csv")) == 2
    error = capsys.readouterr().err
    assert "bad_inss.csv: line 3: column 1 (INSS):" in error
    assert "8507300332X" in error
    assert gateway.count() == 0


def test_a_bad_xml_names_the_file_and_line():
    with pytest.raises(BatchFileError, match=r"bad_time.xml: line 8: .*RegistrationDateTime"):
        read_batch(DATA / "bad_time.xml")


def test_comments_and_processing_instructions_in_an_xml_batch_are_left_out(tmp_path):
    source = (DATA / "registrations.xml").read_text()
    commented = source.replace(
        "  <PresenceRegistrationRequest>",
        "  <!-- reader 1 --><?badge export?>\n  <PresenceRegistrationRequest><!-- first -->",
    )
    path = tmp_path / "commented.xml"
    path.write_text(commented)
    read = [registration.values for registration in read_batch(path)]
    assert read == [registration.values for registration in read_batch(DATA / "registrations.xml")]


def test_an_xml_batch_with_a_doctype_is_refused_in_one_line(tmp_path):
    source = (DATA / "registrations.xml").read_text()
    path = tmp_path / "entities.xml"
    path.write_text(
        source.replace(
            "?>", '?>\n<!DOCTYPE r [<!ENTITY site SYSTEM "file:///etc/hostname">]>', 1
        ).replace("<WorkPlaceId>DW2026000001</WorkPlaceId>", "<WorkPlaceId>&site;</WorkPlaceId>")
    )
    with pytest.raises(BatchFileError, match=r"entities.xml: a DOCTYPE \(DTD\) is not allowed"):
        read_batch(path)


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        ("INSS,Colour\n1,red\n", ".csv", "unknown column(s) Colour"),
        ("<a>", ".xml", "not well-formed XML"),
        ("x", ".json", "unknown file type .json"),
    ],
)
def test_other_bad_files_get_one_clear_line(tmp_path: Path, content, suffix, message):
    path = tmp_path / f"batch{suffix}"
    path.write_text(content)
    with pytest.raises(BatchFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_batch(path)


def test_an_unreachable_gateway_keeps_the_batch_in_the_outbox(capsys, outbox):
    code = cli.main(
        [
            "--url",
            "http://127.0.0.1:9/PresenceRegistration/v1",
            "--username",
            "u",
            "--password",
            "p",
            "submit",
            str(DATA / "registrations.csv"),
        ]
    )
    assert code == cli.KEPT_IN_OUTBOX
    error = capsys.readouterr().err
    assert "the gateway cannot be reached: 5 registrations kept" in error
    assert "ciao-client flush" in error
    assert "Traceback" not in error


def test_status_of_an_unreachable_gateway_is_one_clear_line(capsys):
    code = cli.main(
        [
            "--url",
            "http://127.0.0.1:9/PresenceRegistration/v1",
            "--username",
            "u",
            "--password",
            "p",
            "--attempts",
            "1",
            "status",
            "1",
        ]
    )
    assert code == 1
    assert "cannot fetch the WSDL" in capsys.readouterr().err


def test_a_wrong_password_is_reported_with_the_fault_code(gateway, capsys):
    code = cli.main(
        [
            "--url",
            gateway.url,
            "--username",
            "badge-system",
            "--password",
            "nope",
            "submit",
            str(DATA / "registrations.csv"),
        ]
    )
    assert code == 1
    assert "Client.Authentication" in capsys.readouterr().err


def test_search_remarks_cancel_correct_and_export_commands(gateway, chain, capsys, tmp_path):
    def as_b(*arguments: str) -> int:
        return cli.main(
            ["--url", gateway.url, "--username", "b-system", "--password", PASSWORD, *arguments]
        )

    assert as_b("search", "--from", str(DAY), "--to", str(DAY)) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 4
    assert "4 of 4 registrations" in captured.err
    assert as_b("remarks", "--from", str(DAY), "--to", str(DAY)) == 0
    assert capsys.readouterr().out == ""  # nothing checked yet, so nothing FAILED
    of_c = str(chain["0873909226"][0])
    assert as_b("cancel", of_c, "--reason", "PLANNING") == 0
    assert capsys.readouterr().out.strip() == f"{of_c}\tSUCCESSFULLY CANCELLED"
    assert as_b("cancel", of_c, "--reason", "PLANNING") == cli.NOT_ALL_REGISTERED
    assert "ALREADY_CANCELLED" in capsys.readouterr().out
    other = str(chain["0873909226"][1])
    assert (
        as_b(
            "correct",
            other,
            "--type",
            "WRONG_WORKPLACE_ID",
            "--value",
            "DW2026000002",
            "--motivation",
            "old QR code",
        )
        == 0
    )
    assert "PENDING" in capsys.readouterr().out
    output = tmp_path / "export.csv"
    assert as_b("export", "--from", str(DAY), "--to", str(DAY), "--output", str(output)) == 0
    assert len(output.read_text().splitlines()) == 5
    nowhere = tmp_path / "missing" / "export.csv"
    assert as_b("export", "--from", str(DAY), "--to", str(DAY), "--output", str(nowhere)) == 1
    assert capsys.readouterr().err.strip().endswith(f"{nowhere}: No such file or directory")


def test_retries_follow_system_errors_and_lost_connections_but_never_business_errors(
    gateway, monkeypatch
):
    from clients.client import GatewayClient, GatewayError, Unreachable

    client = GatewayClient(gateway.wsdl_url, "badge-system", PASSWORD, backoff=0.001)
    [answer] = client.register([registration()])
    registration_id = answer.PresenceRegistration.PresenceRegistrationId
    failures = [Unreachable("down"), GatewayError("Server.Unavailable", ["x"], "t", True)]
    calls: list[str] = []
    real = client._call_once

    def flaky(operation, arguments):  # type: ignore[no-untyped-def]
        calls.append(operation)
        if failures:
            raise failures.pop(0)
        return real(operation, arguments)

    monkeypatch.setattr(client, "_call_once", flaky)
    assert client.get(registration_id).PresenceRegistrationId == registration_id
    assert len(calls) == 3
    calls.clear()
    with pytest.raises(GatewayError) as raised:
        client.get(999_999)
    assert raised.value.code == "Client.RegistrationNotFound"
    assert len(calls) == 1
