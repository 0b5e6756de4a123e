"""Publish failures: bounded retries with jitter, only failed entries resent, the rest kept."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Dict, List

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from conftest import FakeEvents, fail_where
from tournament_profile import hooks
from tournament_profile.outbox import MemoryOutbox
from tournament_profile.sender import MAX_ENTRIES_PER_REQUEST, Sender, batches

AT = datetime(2026, 5, 2, 10, 0, tzinfo=timezone.utc)


def entry(n: int, size: int = 10) -> Dict[str, Any]:
    return {"Source": "tournaments", "DetailType": "X", "Detail": json.dumps({"n": n, "pad": "x" * size})}


def client_error(code: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}},
                       "PutEvents")


def quiet_sender(client: Any, waits: List[float], max_attempts: int = 3) -> Sender:
    return Sender(client, max_attempts=max_attempts, base_delay=0.1, max_delay=1.0, sleep=waits.append)


def test_requests_hold_at_most_ten_entries_and_one_megabyte() -> None:
    # Prepare
    small = [entry(n) for n in range(23)]
    large = [entry(n, size=400_000) for n in range(5)]
    # Act
    small_sizes = [len(b) for b in batches(small)]
    large_sizes = [len(b) for b in batches(large)]
    # Assess
    assert small_sizes == [MAX_ENTRIES_PER_REQUEST, MAX_ENTRIES_PER_REQUEST, 3]
    assert large_sizes == [2, 2, 1]


def test_only_the_entries_that_failed_are_sent_again_after_a_jittered_wait() -> None:
    # Prepare: entries 1 and 3 are throttled once
    client = FakeEvents([fail_where(lambda i, _: i in (1, 3))])
    waits: List[float] = []
    # Act
    failures = quiet_sender(client, waits).send([entry(n) for n in range(5)])
    # Assess
    assert failures == []
    assert [json.loads(e["Detail"])["n"] for e in client.calls[1]] == [1, 3]
    assert len(waits) == 1 and 0 <= waits[0] <= 0.1


def test_retries_are_bounded_and_what_still_fails_is_returned_with_its_code() -> None:
    # Prepare
    client = FakeEvents([fail_where(lambda i, _: i == 0, "InternalFailure")] * 5)
    waits: List[float] = []
    # Act
    failures = quiet_sender(client, waits, max_attempts=3).send([entry(0), entry(1)])
    # Assess
    assert len(client.calls) == 3
    assert [(f.index, f.error_code) for f in failures] == [(0, "InternalFailure")]
    assert all(0 <= w <= limit for w, limit in zip(waits, [0.1, 0.2]))


def test_an_entry_refused_for_good_is_not_retried() -> None:
    # Prepare
    client = FakeEvents([fail_where(lambda i, _: i == 0, "MalformedDetail")])
    # Act
    failures = quiet_sender(client, []).send([entry(0), entry(1)])
    # Assess
    assert len(client.calls) == 1
    assert [f.error_code for f in failures] == ["MalformedDetail"]


@pytest.mark.parametrize(
    "error",
    [client_error("ThrottlingException", 400), client_error("ServiceUnavailable", 503),
     EndpointConnectionError(endpoint_url="http://127.0.0.1:1")],
    ids=["throttled", "5xx", "network"],
)
def test_a_request_that_fails_transiently_is_sent_again_whole(error: Exception) -> None:
    # Prepare
    client = FakeEvents([error])
    # Act
    failures = quiet_sender(client, []).send([entry(0), entry(1)])
    # Assess
    assert failures == [] and len(client.calls) == 2


def test_a_request_refused_for_good_fails_every_entry_at_once() -> None:
    # Prepare
    client = FakeEvents([client_error("AccessDeniedException", 400)])
    # Act
    failures = quiet_sender(client, []).send([entry(0), entry(1)])
    # Assess
    assert len(client.calls) == 1
    assert [f.error_code for f in failures] == ["AccessDeniedException"] * 2


def test_a_hook_whose_publish_keeps_failing_logs_it_and_keeps_the_event_in_the_outbox(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Prepare
    client, outbox = FakeEvents([client_error("ThrottlingException", 400)] * 3), MemoryOutbox()
    hooks.configure(client=client, outbox=outbox, retry_base_delay=0)
    # Act
    hooks.on_dispute_opened(dispute_id=5, match_id=9, tournament_id=7, opened_by_user_id=43,
                            participant_user_ids=[42, 43], occurred_at=AT)
    # Assess
    assert len(client.calls) == 3
    [item] = outbox.pending(10)
    assert item.entry == client.calls[0][0]
    assert "DisputeOpened dispute_opened:5:open not published (ThrottlingException" in caplog.text
    hooks.configure(client=FakeEvents())


def test_an_exception_from_the_client_itself_never_reaches_the_caller(caplog: pytest.LogCaptureFixture) -> None:
    # Prepare: a client that breaks in a way no retry rule knows
    client, outbox = FakeEvents([ZeroDivisionError("bug in a client wrapper")]), MemoryOutbox()
    hooks.configure(client=client, outbox=outbox)
    # Act
    hooks.on_tournament_completed(tournament_id=7, participant_user_ids=[42], winner_user_ids=[], occurred_at=AT)
    # Assess
    assert [i.last_error for i in outbox.pending(10)] == ["ZeroDivisionError: bug in a client wrapper"]
    hooks.configure(client=FakeEvents())


def test_when_even_the_outbox_fails_the_event_is_written_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    # Prepare
    class BrokenOutbox(MemoryOutbox):
        def add(self, entries: Any, error: str) -> None:
            raise OSError("disk full")

    hooks.configure(client=FakeEvents([client_error("AccessDeniedException", 400)]), outbox=BrokenOutbox())
    # Act
    hooks.on_tournament_completed(tournament_id=7, participant_user_ids=[42], winner_user_ids=[], occurred_at=AT)
    # Assess
    assert "LOST: the outbox refused it (disk full)" in caplog.text
    assert '\\"tournamentId\\":\\"7\\"' in caplog.text
    hooks.configure(client=FakeEvents())
