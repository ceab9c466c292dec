"""``make bench-scale`` at a small scale: the harness builds its database of registrations,
measures every kind of search of ``make bench`` on it, the export, the checks and its size,
and explains the searches slower than it is told; run again with ``--reuse`` it measures the
same database, migrated, without building it again."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bench import scale, search
from bench.common import POSTGRES_URL
from bench.scale_database import FOLDERS, SETTINGS
from storage.database import normalise_url

ROWS = 20_000  # over two days, some 10,000 a day as at full scale


def run(name: str, folder: Path, *options: str) -> dict[str, Any]:
    folder.mkdir()
    results, plans = folder / "results.json", folder / "plans.txt"
    common = ["--rows", str(ROWS), "--database", name, "--repeat", "10", "--plans-over", "0"]
    checks = ["--checks", "200", "--declarations", "500"]
    paths = ["--results", str(results), "--plans", str(plans)]
    assert scale.main([*common, *checks, *paths, *options]) == 0
    figures: dict[str, Any] = json.loads(results.read_text())
    figures["plans_text"] = plans.read_text()
    return figures


def databases_named(name: str) -> int:
    admin = create_engine(normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return connection.execute(
                text("SELECT count(*) FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar_one()
    finally:
        admin.dispose()


@pytest.fixture
def database_name(postgres_engine):  # type: ignore[no-untyped-def]
    """A name for the harness's database (``postgres_engine``: skipped as every PostgreSQL
    test is when it is unreachable); the database is dropped by the run told ``--drop``."""
    name = f"ciao_bench_scale_{uuid.uuid4().hex[:10]}"
    yield name
    admin = create_engine(normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:  # if a run failed before dropping it
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    shutil.rmtree(FOLDERS / name, ignore_errors=True)


@pytest.mark.postgres
def test_bench_scale_measures_its_database_then_measures_it_again_reused(database_name, tmp_path):
    first = run(database_name, tmp_path / "first")
    assert not first["reused"] and first["build_seconds"] > 0
    head = first["migrate"]["to"]
    assert first["migrate"] == {
        "seconds": first["migrate"]["seconds"],
        "from": None,  # a new database
        "to": head,
        "populated": False,
    }
    assert first["size"]["registrations"] == ROWS
    assert first["size"]["database_mib"] > first["size"]["registrations_table_mib"] > 1
    assert set(first["size"]["indexes_mib"]) >= {
        "ix_registrations_company_id_work_day",
        "ix_registrations_worker_key_work_day",
    }
    assert set(first["server_settings"]) == set(SETTINGS)
    assert set(first["search"]) == set(search.SEARCHES)
    for figures in first["search"].values():
        assert 0 < figures["p50_ms"] <= figures["p95_ms"]
    assert first["search"]["all_visible_31_days"]["found"] == ROWS
    last_page = first["search"]["employer_day_last_page"]
    assert (last_page["found"], last_page["returned"]) == (10_080, 500)
    assert first["export"]["registrations"] == ROWS
    assert first["checks"]["registrations"] == 200 and first["checks"]["registrations_per_s"] > 0
    # Every search explained (told --plans-over 0): its queries (the account's, its count,
    # its page), as run.
    assert set(first["plans"]) == set(search.SEARCHES)
    for statements in first["plans"].values():
        assert len(statements) >= 2
        assert all("Execution Time" in statement["plan"] for statement in statements)
    worker_month = [statement["plan"] for statement in first["plans"]["worker_month"]]
    assert any("Index Scan using ix_registrations_worker_key_work_day" in p for p in worker_month)
    assert "=== employer_31_days_by_time_descending: p95 " in first["plans_text"]

    second = run(database_name, tmp_path / "second", "--reuse", "--drop")
    assert second["reused"] and second["build_seconds"] is None
    assert second["migrate"] == {
        "seconds": second["migrate"]["seconds"],
        "from": head,
        "to": head,
        "populated": True,
    }
    assert second["size"]["registrations"] == ROWS
    found = {name: figures["found"] for name, figures in first["search"].items()}
    assert {name: figures["found"] for name, figures in second["search"].items()} == found
    assert databases_named(database_name) == 0
