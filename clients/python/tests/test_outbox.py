"""The outbox and flush(): what failed is kept, sent again, and forgotten once sent."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import FakeEvents, fail_where
from tournament_profile import hooks
from tournament_profile.outbox import MemoryOutbox, Outbox, SqliteOutbox

AT = datetime(2026, 5, 2, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Outbox:
    return MemoryOutbox() if request.param == "memory" else SqliteOutbox(str(tmp_path / "outbox.sqlite3"))


def entry(n: int) -> dict:
    return {"EventBusName": "tournaments", "Source": "tournaments", "DetailType": "X", "Detail": json.dumps({"n": n})}


def test_both_outboxes_implement_the_interface(store: Outbox) -> None:
    assert isinstance(store, Outbox)


def test_an_outbox_keeps_entries_in_order_and_counts_failures(store: Outbox) -> None:
    # Act
    store.add([entry(1), entry(2)], "ThrottlingException: slow down")
    first, second = store.pending(10)
    store.record_failure([first.id], "InternalFailure: oops")
    store.remove([second.id])
    # Assess
    [kept] = store.pending(10)
    assert (kept.entry, kept.attempts, kept.last_error) == (entry(1), 2, "InternalFailure: oops")
    assert store.pending(10, after_id=kept.id) == []


def test_a_sqlite_outbox_survives_a_restart(tmp_path: Path) -> None:
    # Prepare
    path = str(tmp_path / "outbox.sqlite3")
    SqliteOutbox(path).add([entry(1)], "boom")
    # Act
    reopened = SqliteOutbox(path)
    # Assess
    assert [i.entry for i in reopened.pending(10)] == [entry(1)]


def test_a_sqlite_outbox_takes_writes_from_many_threads(tmp_path: Path) -> None:
    # Prepare
    box = SqliteOutbox(str(tmp_path / "outbox.sqlite3"))
    threads = [threading.Thread(target=lambda n=n: box.add([entry(n)], "e")) for n in range(20)]
    # Act
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Assess
    assert sorted(json.loads(i.entry["Detail"])["n"] for i in box.pending(100)) == list(range(20))


def test_flush_sends_what_the_outbox_holds_and_forgets_what_was_sent(store: Outbox) -> None:
    # Prepare: 25 kept entries; the bus now refuses entry 3 of the first request for good
    store.add([entry(n) for n in range(25)], "earlier failure")
    client = FakeEvents([fail_where(lambda i, _: i == 3, "AccessDeniedException")])
    hooks.configure(client=client, outbox=store, retry_base_delay=0)
    # Act
    result = hooks.flush(batch_size=10)
    # Assess
    assert (result.sent, result.failed) == (24, 1)
    [left] = store.pending(100)
    assert (json.loads(left.entry["Detail"])["n"], left.attempts) == (3, 2)
    assert left.last_error == "AccessDeniedException: injected"
    assert len(client.sent) == 25
    hooks.configure(client=FakeEvents())


def test_a_failed_hook_then_a_flush_delivers_the_event_once_the_bus_is_back(store: Outbox) -> None:
    # Prepare: the bus is down for the hook's three attempts
    down = FakeEvents([fail_where(lambda i, _: True, "InternalFailure")] * 3)
    hooks.configure(client=down, outbox=store, retry_base_delay=0)
    hooks.on_tournament_completed(tournament_id=7, participant_user_ids=[42], winner_user_ids=[42], occurred_at=AT)
    up = FakeEvents()
    hooks.configure(client=up, outbox=store)
    # Act
    result = hooks.flush()
    # Assess
    assert (result.sent, result.failed) == (1, 0)
    assert up.sent == [down.calls[0][0]]
    assert store.pending(10) == []
    hooks.configure(client=FakeEvents())


def test_the_game_of_a_failed_hook_survives_the_outbox_and_the_flush(store: Outbox) -> None:
    # Prepare: the bus is down for the hook's three attempts; the game is given as a number
    down = FakeEvents([fail_where(lambda i, _: True, "InternalFailure")] * 3)
    hooks.configure(client=down, outbox=store, retry_base_delay=0)
    hooks.on_match_finalized(match_id=9, tournament_id=7, resolution="completed", participant_user_ids=[42, 43],
                             winner_user_ids=[42], occurred_at=AT, game_id=7)
    up = FakeEvents()
    hooks.configure(client=up, outbox=store)
    # Act
    result = hooks.flush()
    # Assess: the resend is the first attempt's bytes, with the game as its canonical string
    assert (result.sent, result.failed) == (1, 0)
    assert up.sent == [down.calls[0][0]]
    assert json.loads(up.sent[0]["Detail"])["gameId"] == "7"
    hooks.configure(client=FakeEvents())


def test_flush_never_raises_when_the_outbox_breaks(caplog: pytest.LogCaptureFixture) -> None:
    # Prepare
    class Broken(MemoryOutbox):
        def pending(self, limit: int, after_id: int = 0) -> Any:
            raise OSError("database is locked")

    hooks.configure(client=FakeEvents(), outbox=Broken())
    # Act
    result = hooks.flush()
    # Assess
    assert (result.sent, result.failed) == (0, 0)
    assert "flush stopped: database is locked" in caplog.text
    hooks.configure(client=FakeEvents())
