"""The gateway as a newcomer installs it: a wheel built with ``python -m build`` and installed
into a fresh venv outside the checkout, whose commands migrate, serve and help from there.

The fresh venv takes the third-party libraries from this venv's site-packages (one ``.pth``
line: no download, no compilation) and only the wheel itself is installed into it, so the test
runs in seconds and tells whether the wheel, not the checkout, carries everything the gateway
reads at run time (the contract, templates, catalogues, migrations).
"""

from __future__ import annotations

import ast
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from importlib import metadata
from pathlib import Path

import pytest
import zeep
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from zeep.wsse.username import UsernameToken

from tests.builders import registration
from tests.processes import free_port, wait_for

CHECKOUT = Path(__file__).resolve().parents[1]


def _clean_clone(folder: Path) -> Path:
    """The checkout's files as a clean clone has them: what git tracks or would, and none of
    what it ignores (the editable install's egg-info would otherwise tell setuptools which
    files to package)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=CHECKOUT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (CHECKOUT / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(CHECKOUT / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The sdist and the wheel built from it, and what the build printed."""
    source = _clean_clone(tmp_path_factory.mktemp("source"))
    dist = tmp_path_factory.mktemp("dist")
    # Without isolation: setuptools and build from the test extras, no download.
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return dist, done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(built: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv outside the checkout with the wheel installed; its bin folder."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    wheel = next(built[0].glob("*.whl"))
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install"),
            *("--quiet", "--no-deps", "--no-index", "--no-compile", str(wheel)),
        ],
        check=True,
        timeout=120,
    )
    return venv / "bin"


def _outside(tmp_path: Path) -> dict[str, str]:
    """An environment that cannot see the checkout: no PYTHONPATH, a home of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "CIAO_"))}
    return dict(env, HOME=str(tmp_path))


def test_the_build_makes_an_sdist_and_a_wheel_without_package_data_warnings(
    built: tuple[Path, str],
) -> None:
    dist, output = built
    assert sorted(path.suffix for path in dist.iterdir()) == [".gz", ".whl"]
    assert "absent from the `packages` configuration" not in output
    assert "Package would be ignored" not in output


def test_the_installed_gateway_is_the_wheel_not_the_checkout(
    installed: Path, tmp_path: Path
) -> None:
    found = subprocess.run(
        [installed / "python", "-c", "import gateway, clients; print(gateway.__file__)"],
        cwd=tmp_path,
        env=_outside(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(found).is_relative_to(installed.parent), found


def test_the_installed_gateway_migrates_serves_and_helps(installed: Path, tmp_path: Path) -> None:
    env = _outside(tmp_path)
    database = f"sqlite:///{tmp_path / 'ciao.db'}"

    def run(*command: str, stdin: str = "") -> str:
        done = subprocess.run(
            command, cwd=tmp_path, env=env, input=stdin, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    gateway = str(installed / "ciao-gateway")
    assert "newest schema" in run(gateway, "migrate", "--database", database)
    run(
        *(gateway, "users", "add", "--username", "badge-system"),
        *("--company", "0403170701", "--role", "EMPLOYER", "--database", database),
        stdin="a-password\n",
    )
    assert "submit" in run(str(installed / "ciao-client"), "--help")

    port = free_port()
    server = subprocess.Popen(
        [
            *(gateway, "serve", "--port", str(port), "--workers", "1", "--check-workers", "0"),
            *("--database", database),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/PresenceRegistration/v1"
        wait_for(url + "?wsdl", server, time.monotonic() + 30)
        client = zeep.Client(
            url + "?wsdl",
            settings=zeep.Settings(strict=True),
            wsse=UsernameToken("badge-system", "a-password", use_digest=True),
        )
        answers = client.service.registerPresences(PresenceRegistrationRequest=[registration()])
        assert answers[0].PresenceRegistration.LastValidation.Status == "SUCCESSFULLY REGISTERED"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _imported_libraries() -> set[str]:
    """The top-level modules that gateway, storage and clients import from outside the
    standard library and themselves."""
    own = {"gateway", "storage", "clients"}
    found = set()
    for folder in own:
        for source in (CHECKOUT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(source.read_text())):
                if isinstance(node, ast.Import):
                    found.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.split(".")[0])
    return found - own - set(sys.stdlib_module_names)


def test_every_library_the_gateway_imports_is_declared_and_every_declared_one_is_used() -> None:
    declared = {
        canonicalize_name(Requirement(text).name)
        for text in metadata.requires("ciao-gateway") or []
        if "extra ==" not in text
    }
    providers = metadata.packages_distributions()
    imported = {
        canonicalize_name(distribution)
        for module in _imported_libraries()
        for distribution in providers.get(module, [module])
    }
    assert imported - declared == set()
    # tzdata is read by zoneinfo (Europe/Brussels) where the system has no time-zone database;
    # legacy-cgi gives Spyne the cgi module that Python 3.13 removed (gateway/spyne_compat.py).
    assert declared - imported == {"tzdata", "legacy-cgi"}
