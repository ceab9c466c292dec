"""The arrows between the rooms of the house point one way (edges -> services -> domain <-
storage) and no modules of one package import each other in a circle: import-linter checks
the contracts in setup.cfg over the import graph of gateway/, storage/ and clients/."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", "--config", "setup.cfg"],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_import_of_the_house_keeps_the_contracts() -> None:
    checked = _lint_imports(ROOT)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 broken" in checked.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken", "named"),
    [
        (
            "gateway/domain/workday.py",
            "import storage.database",
            "Edges -> services -> domain <- storage BROKEN",
            "gateway.domain.workday -> storage.database",
        ),
        (
            "gateway/services/export.py",
            "import gateway.soap.faults",
            "Edges -> services -> domain <- storage BROKEN",
            "gateway.services.export -> gateway.soap.faults",
        ),
        (
            "gateway/pages/i18n.py",
            "from storage.database import transaction",
            "The edges reach storage only through the services BROKEN",
            "gateway.pages.i18n -> storage.database",
        ),
        (
            "gateway/xml/export.py",
            "from gateway.services import export",
            "The codecs translate between documents and the domain, and call nothing BROKEN",
            "gateway.xml.export -> gateway.services.export",
        ),
        (
            "gateway/domain/reasons.py",
            "import gateway.domain.corrections",
            "No cycles between the modules or packages of one package BROKEN",
            ".reasons -> .corrections",
        ),
    ],
    ids=["domain-to-storage", "services-to-edge", "page-to-storage", "codec-to-service", "cycle"],
)
def test_an_import_that_points_the_wrong_way_breaks_a_contract(
    tmp_path: Path, module: str, line: str, broken: str, named: str
) -> None:
    """The same contracts over a copy of the tree with one wrong import added fail, naming
    the contract and the import."""
    for package in ("gateway", "storage", "clients"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "setup.cfg", tmp_path / "setup.cfg")
    with (tmp_path / module).open("a") as source:
        source.write(f"\n{line}  # noqa\n")

    checked = _lint_imports(tmp_path)

    assert checked.returncode != 0
    assert broken in checked.stdout
    assert named in checked.stdout
