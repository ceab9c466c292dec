"""A check worker beside a steady ingest load: its writes stay short and few (it merges the
staged registrations only when it claims), its checks yield the cores to the requests, and
once the load stops it empties the queue, with the remarks a worker on a quiet database gives."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, text

from gateway.services.checking import CheckWorker
from storage import queue
from storage.database import READ_ONLY, create_database_engine, reading, transaction
from tests.builders import registration
from tests.processes import Gateway, wait_until
from tests.soap import NS, envelope, post
from tests.test_staging import raw_count

MERGE = "FROM staged_registrations ORDER BY id"
START = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


def test_a_check_worker_merges_what_was_staged_when_it_claims_and_never_after(sqlite_gateway):
    """What is registered while a batch is being checked waits, staged, for the next claim:
    neither the read of the batch nor the storing of its outcomes merges it."""
    service = sqlite_gateway.client().service
    service.registerPresences(PresenceRegistrationRequest=[registration(INSS="85073003328")])
    merges: list[str] = []
    sent_meanwhile = threading.Event()

    def watch(connection, _cursor, statement: str, *_: object) -> None:  # type: ignore[no-untyped-def]
        if MERGE in statement:
            merges.append(statement)
        elif connection.get_execution_options().get(READ_ONLY) and not sent_meanwhile.is_set():
            sent_meanwhile.set()  # once the claim committed, as the worker begins to read
            service.registerPresences(
                PresenceRegistrationRequest=[registration(INSS="05010104566")]
            )

    worker = CheckWorker(sqlite_gateway.engine)
    event.listen(sqlite_gateway.engine, "before_cursor_execute", watch)
    try:
        assert worker.run_once() == 1
    finally:
        event.remove(sqlite_gateway.engine, "before_cursor_execute", watch)
    assert sent_meanwhile.is_set()
    assert len(merges) == 1  # the claim's
    assert raw_count(sqlite_gateway, "staged_registrations") == 1
    assert worker.run_once() == 1  # the day registered meanwhile, merged by this claim
    assert worker.run_once() == 0
    with reading(sqlite_gateway.engine) as connection:
        runs = connection.execute(text("SELECT validation_runs FROM registrations")).scalars()
        assert sorted(runs) == [1, 1]


def single(worker: int, moment: datetime) -> bytes:
    inss = ("85073003328", "05010104566", "97440936363")[worker % 3]
    kind = ("CHECK_IN", "CHECK_OUT")[worker // 3 % 2]
    body = (
        f'<RegisterPresencesRequest xmlns="{NS["p"]}"><PresenceRegistrationRequest>'
        f"<INSS>{inss}</INSS><CompanyID>0403170701</CompanyID>"
        "<WorkPlaceId>DW2026000001</WorkPlaceId>"
        f"<RegistrationType>{kind}</RegistrationType>"
        f"<RegistrationDateTime>{moment.isoformat()}</RegistrationDateTime>"
        "<RegistrationMeans>BADGE</RegistrationMeans></PresenceRegistrationRequest>"
        "</RegisterPresencesRequest>"
    )
    return envelope(body, "demo", "demo-password")


def steady_load(gateway: Gateway, seconds: float, clients: int) -> int:
    """Single registrations sent back to back by ``clients`` threads for ``seconds``, spread
    over worker days as senders spread them; how many were acknowledged."""
    acknowledged = [0] * clients
    end = time.monotonic() + seconds

    def send(client: int) -> None:
        sent = 0
        while time.monotonic() < end and sent < 5_000:
            moment = START - timedelta(days=sent % 20, minutes=client)
            reply = post(gateway.url, single(client + sent, moment))
            assert reply.status == 200, reply.body
            sent += 1
        acknowledged[client] = sent

    threads = [threading.Thread(target=send, args=(client,)) for client in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return sum(acknowledged)


def remarks(database: str) -> list[tuple[int, str, str | None]]:
    engine = create_database_engine(database)
    with reading(engine) as connection:
        rows = connection.execute(
            text("SELECT id, status, remark_codes FROM registrations ORDER BY id")
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_serve_checks_everything_acknowledged_under_a_steady_load_once_it_stops(tmp_path):
    gateway = Gateway(tmp_path, workers=2, check_workers=1)
    gateway.start()
    try:
        wait_until(lambda: gateway.check_worker_pids(), 30, "the check worker's start")
        sent = steady_load(gateway, seconds=6, clients=3)
        stopped = time.monotonic()
        engine = create_database_engine(gateway.database)

        def empty() -> bool:
            with reading(engine, registrations=False) as connection:
                return queue.depth(connection, datetime.now(UTC).replace(tzinfo=None))[0] == 0

        wait_until(empty, 60, "the check queue emptying after the load")
        print(f"\n{sent} registrations; queue empty {time.monotonic() - stopped:.1f} s after")
        checked_under_load = remarks(gateway.database)
    finally:
        gateway.stop()
    assert len(checked_under_load) >= sent > 0
    assert all(status in ("VALIDATED", "FAILED") for _, status, _ in checked_under_load)
    # The same days checked again by a worker on its own, with nothing else running.
    with transaction(engine) as connection:
        queue.enqueue_dependents(
            connection, set(), {"0403170701"}, set(), datetime.now(UTC).replace(tzinfo=None)
        )
    alone = CheckWorker(engine)
    while alone.run_once():
        pass
    engine.dispose()
    assert remarks(gateway.database) == checked_under_load
