"""Fault and error codes are defined once, unique, and documented in docs/faults.md."""

from __future__ import annotations

import re
from pathlib import Path

from gateway.domain import acceptance, consultation, presence, remarks
from gateway.soap import faults
from gateway.soap.checkinatwork import faults as checkinatwork_faults

DOC = (Path(__file__).parents[1] / "docs" / "faults.md").read_text()


def documented_codes() -> list[str]:
    return re.findall(r"^\| `([A-Za-z0-9_.]+)` \|", DOC, flags=re.MULTILINE)


def test_fault_codes_are_unique_and_each_is_documented_once():
    codes = [kind.code for kind in faults.CATALOGUE]
    assert len(codes) == len(set(codes))
    defined = {value.code for value in vars(faults).values() if isinstance(value, faults.FaultKind)}
    assert defined == set(codes), "every FaultKind belongs in faults.CATALOGUE"
    documented = documented_codes()
    for code in codes:
        assert documented.count(code) == 1, code


ERROR_CODES = {
    acceptance.TIME_IN_FUTURE,
    acceptance.TIME_BEFORE_START,
    consultation.NOT_FOUND,
    consultation.ALREADY_CANCELLED,
}


def test_registration_error_codes_are_documented():
    documented = documented_codes()
    assert set(documented) >= ERROR_CODES


def test_the_documentation_names_no_code_that_does_not_exist():
    known = {kind.code for kind in faults.CATALOGUE} | ERROR_CODES
    assert set(documented_codes()) <= known


REMARKS_DOC = (Path(__file__).parents[1] / "docs" / "remarks.md").read_text()


def test_remark_codes_are_unique_and_each_is_documented_with_its_text():
    codes = [kind.code for kind in remarks.CATALOGUE]
    assert len(codes) == len(set(codes))
    defined = {v.code for v in vars(remarks).values() if isinstance(v, remarks.RemarkKind)}
    assert defined == set(codes), "every RemarkKind belongs in remarks.CATALOGUE"
    rows = re.findall(r"^\| `([A-Z_]+)` \| (.+?) \|", REMARKS_DOC, flags=re.MULTILINE)
    assert [code for code, _ in rows] == codes
    for (code, text), kind in zip(rows, remarks.CATALOGUE, strict=True):
        assert text == kind.text, code


def test_remark_texts_fit_the_contract_and_moments_are_known():
    for kind in remarks.CATALOGUE:
        assert len(kind.code) <= 60
        assert set(kind.moments) <= {"arrival", "reference", "day", "end-of-day"}
        assert kind.action


def test_every_remark_is_driven_by_a_soap_test():
    driven = (Path(__file__).parent / "test_remarks.py").read_text()
    missing = [k.code for k in remarks.CATALOGUE if f'"{k.code}"' not in driven]
    assert missing == []


def test_every_checkinatwork_code_is_documented_once():
    section = DOC.split("## Checkin@Work", 1)[1]
    rows = re.findall(r"^\| (?:[a-zA-Z]+ \| )?([A-Z0-9, -]+?) \|", section, flags=re.MULTILINE)
    documented = [code for row in rows for code in row.split(", ")]
    codes = [kind.code for kind in checkinatwork_faults.CATALOGUE]
    assert len(codes) == len(set(codes))
    assert sorted(c for c in documented if c.startswith("SOA-")) == sorted(codes)
    errors = sorted(int(e.code) for e in presence.BUSINESS_ERRORS)
    assert sorted(int(c) for c in documented if c.isdigit()) == errors
