"""Each hook: the entry it sends, and the bad calls it logs instead of raising."""

from __future__ import annotations

import enum
import json
import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict

import pytest
from conftest import FakeEvents
from tournament_profile import hooks
from tournament_profile.contract import idempotency_key

AT = datetime(2026, 5, 2, 12, 0, 0, 250000, tzinfo=timezone(timedelta(hours=2)))
AT_TEXT = "2026-05-02T10:00:00.250Z"

# hook, its keyword arguments, the DetailType, the detail it must send, the key it must get
CASES = [
    (hooks.on_registration_status_change,
     dict(registration_id=123, tournament_id=7, status="approved", user_ids=[42, "42"], occurred_at=AT),
     "RegistrationStatusChanged",
     {"tournamentId": "7", "occurredAt": AT_TEXT, "registrationId": "123", "status": "approved", "userIds": ["42"]},
     "registration_status:123:approved"),
    (hooks.on_payment_status_change,
     dict(payment_id="pay_88", registration_id=123, tournament_id=7, status="verified", user_ids=(42,),
          occurred_at=AT),
     "PaymentStatusChanged",
     {"tournamentId": "7", "occurredAt": AT_TEXT, "paymentId": "pay_88", "registrationId": "123",
      "status": "verified", "userIds": ["42"]},
     "payment_status:pay_88:verified"),
    (hooks.on_checkin_toggled,
     dict(registration_id=77, tournament_id=7, checked_in=False, user_ids={42}, occurred_at=AT, revision=2),
     "CheckInToggled",
     {"tournamentId": "7", "occurredAt": AT_TEXT, "registrationId": "77", "checkedIn": False, "userIds": ["42"],
      "revision": 2},
     "checkin:77:checked_out:2"),
    (hooks.on_match_result_submitted,
     dict(match_id=9, tournament_id=7, submitted_by_user_id=42, participant_user_ids=[42, 43], occurred_at=AT),
     "MatchResultSubmitted",
     {"tournamentId": "7", "occurredAt": AT_TEXT, "matchId": "9", "submittedByUserId": "42",
      "participantUserIds": ["42", "43"]},
     "match_result:9:submitted_by_42"),
    (hooks.on_dispute_opened,
     dict(dispute_id=5, match_id=9, tournament_id=7, opened_by_user_id=43, participant_user_ids=[42, 43],
          occurred_at=AT),
     "DisputeOpened",
     {"tournamentId": "7", "occurredAt": AT_TEXT, "disputeId": "5", "matchId": "9", "openedByUserId": "43",
      "participantUserIds": ["42", "43"]},
     "dispute_opened:5:open"),
    (hooks.on_dispute_resolved,
     dict(dispute_id=5, match_id=9, tournament_id=7, resolution="upheld", participant_user_ids=[42, 43],
          occurred_at=AT),
     "DisputeResolved",
     {"tournamentId": "7", "occurredAt": AT_TEXT, "disputeId": "5", "matchId": "9", "resolution": "upheld",
      "participantUserIds": ["42", "43"]},
     "dispute_resolved:5:upheld"),
    (hooks.on_match_finalized,
     dict(match_id=9, tournament_id=7, resolution="dispute_resolved", participant_user_ids=[42, 43],
          winner_user_ids=[43], occurred_at=AT, extra={"round": 2}),
     "MatchFinalized",
     {"tournamentId": "7", "occurredAt": AT_TEXT, "matchId": "9", "resolution": "dispute_resolved",
      "participantUserIds": ["42", "43"], "winnerUserIds": ["43"], "isDraw": False, "round": 2},
     "match_finalized:9:dispute_resolved"),
    (hooks.on_tournament_completed,
     dict(tournament_id=7, participant_user_ids=[42, 43], winner_user_ids=[], occurred_at=AT),
     "TournamentCompleted",
     {"tournamentId": "7", "occurredAt": AT_TEXT, "participantUserIds": ["42", "43"], "winnerUserIds": []},
     "tournament_completed:7:completed"),
]
IDS = [case[0].__name__ for case in CASES]


@pytest.mark.parametrize(("hook", "kwargs", "detail_type", "detail", "key"), CASES, ids=IDS)
def test_a_hook_sends_one_canonical_entry_to_the_configured_bus(
    configured: FakeEvents, hook: Callable[..., None], kwargs: Dict[str, Any], detail_type: str,
    detail: Dict[str, Any], key: str,
) -> None:
    # Act
    result = hook(**kwargs)
    # Assess
    assert result is None
    [entry] = configured.sent
    assert (entry["EventBusName"], entry["Source"], entry["DetailType"]) == ("tournaments", "tournaments", detail_type)
    assert json.loads(entry["Detail"]) == detail
    assert idempotency_key(detail_type, json.loads(entry["Detail"])) == key


@pytest.mark.parametrize(("hook", "kwargs", "detail_type", "detail", "key"), CASES, ids=IDS)
def test_a_hook_sends_the_same_bytes_for_the_same_action_however_it_is_spelled(
    configured: FakeEvents, hook: Callable[..., None], kwargs: Dict[str, Any], detail_type: str,
    detail: Dict[str, Any], key: str,
) -> None:
    # Prepare: the same instant in UTC, ids as strings where they were numbers
    respelled = {k: (str(v) if isinstance(v, int) and not isinstance(v, bool) and k != "revision" else v)
                 for k, v in kwargs.items()}
    respelled["occurred_at"] = AT.astimezone(timezone.utc)
    # Act
    hook(**kwargs)
    hook(**respelled)
    # Assess
    first, second = configured.sent
    assert first == second


@pytest.mark.parametrize(("hook", "kwargs", "detail_type", "detail", "key"), CASES, ids=IDS)
def test_a_hook_sends_the_game_it_is_given_as_an_id_without_changing_the_key(
    configured: FakeEvents, hook: Callable[..., None], kwargs: Dict[str, Any], detail_type: str,
    detail: Dict[str, Any], key: str,
) -> None:
    # Act: the same game as a number and as a string, then a named game
    hook(**kwargs, game_id=7)
    hook(**kwargs, game_id="7")
    hook(**kwargs, game_id="valorant")
    # Assess
    as_number, as_string, named = configured.sent
    assert as_number == as_string
    assert json.loads(as_number["Detail"]) == {**detail, "gameId": "7"}
    assert json.loads(named["Detail"])["gameId"] == "valorant"
    assert {idempotency_key(detail_type, json.loads(e["Detail"])) for e in configured.sent} == {key}


@pytest.mark.parametrize(("hook", "kwargs", "detail_type", "detail", "key"), CASES, ids=IDS)
def test_a_hook_given_no_game_sends_no_gameId_field(
    configured: FakeEvents, hook: Callable[..., None], kwargs: Dict[str, Any], detail_type: str,
    detail: Dict[str, Any], key: str,
) -> None:
    # Act
    hook(**kwargs, game_id=None)
    # Assess
    [entry] = configured.sent
    assert "gameId" not in json.loads(entry["Detail"])


@pytest.mark.parametrize(("hook", "kwargs", "detail_type", "detail", "key"), CASES, ids=IDS)
def test_a_hook_given_a_naive_datetime_logs_why_and_sends_nothing(
    configured: FakeEvents, caplog: pytest.LogCaptureFixture, hook: Callable[..., None], kwargs: Dict[str, Any],
    detail_type: str, detail: Dict[str, Any], key: str,
) -> None:
    # Act
    hook(**{**kwargs, "occurred_at": datetime(2026, 5, 2, 12, 0)})
    # Assess
    assert configured.calls == []
    assert f"{hook.__name__}: nothing sent, bad arguments: occurred_at: is a naive datetime" in caplog.text


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"registration_id": "a:b"}, "registration_id: must be an id"),
        ({"user_ids": []}, "user_ids"),
        ({"user_ids": "42"}, "user_ids: must be a list"),
        ({"status": "pending"}, "status"),
        ({"tournament_id": True}, "tournament_id: must be an id"),
        ({"revision": -1}, "revision: must be a whole number"),
        ({"occurred_at": "2026-05-02T10:00:00Z"}, "occurred_at: must be a timezone-aware datetime"),
        ({"extra": {"status": "rejected"}}, "extra: may not set the contract's fields status"),
        ({"extra": {"when": datetime(2026, 1, 1)}}, "detail: is not plain JSON"),
        ({"game_id": "cs:go"}, "game_id: must be an id"),
        ({"game_id": ""}, "game_id: must be an id"),
        ({"game_id": "g" * 65}, "game_id: must be an id"),
        ({"game_id": True}, "game_id: must be an id"),
        ({"game_id": 7.5}, "game_id: must be an id"),
        ({"game_id": 0}, "game_id: must be a positive whole number"),
        ({"extra": {"gameId": "valorant"}}, "extra: may not set the contract's fields gameId; pass them as arguments"),
    ],
)
def test_a_bad_argument_is_logged_with_its_reason_and_sent_nowhere(
    configured: FakeEvents, caplog: pytest.LogCaptureFixture, kwargs: Dict[str, Any], reason: str,
) -> None:
    # Prepare
    good = dict(registration_id=123, tournament_id=7, status="approved", user_ids=[42], occurred_at=AT)
    # Act
    hooks.on_registration_status_change(**{**good, **kwargs})
    # Assess
    assert configured.calls == []
    assert reason in caplog.text


def test_a_rule_across_fields_is_logged_in_the_callers_words(
    configured: FakeEvents, caplog: pytest.LogCaptureFixture,
) -> None:
    # Act
    hooks.on_match_finalized(match_id=9, tournament_id=7, resolution="completed", participant_user_ids=[42, 43],
                             winner_user_ids=[44], occurred_at=AT)
    # Assess
    assert configured.calls == []
    assert "winner_user_ids[0]: user 44 is not among participantUserIds" in caplog.text


def test_a_wrong_call_never_raises_into_the_tournament_operation(
    configured: FakeEvents, caplog: pytest.LogCaptureFixture,
) -> None:
    # Act: a missing argument, a positional argument, an unknown keyword
    hooks.on_dispute_opened(dispute_id=5, match_id=9, tournament_id=7, occurred_at=AT)  # type: ignore[call-arg]
    hooks.on_tournament_completed(7)  # type: ignore[misc]
    hooks.on_checkin_toggled(registration_id=77, tournament_id=7, checked_in=True, user_ids=[42],  # type: ignore[call-arg]
                             occurred_at=AT, checkin_count=3)
    # Assess
    assert configured.calls == []
    assert caplog.text.count("nothing sent, the call failed") == 3


def test_a_status_from_a_django_style_enum_is_sent_as_its_value(configured: FakeEvents) -> None:
    # Prepare
    class Status(str, enum.Enum):
        APPROVED = "approved"

    # Act
    hooks.on_registration_status_change(registration_id=1, tournament_id=7, status=Status.APPROVED, user_ids=[42],
                                        occurred_at=AT)
    # Assess
    assert json.loads(configured.sent[0]["Detail"])["status"] == "approved"


def test_configure_sets_the_bus_and_source(events: FakeEvents, caplog: pytest.LogCaptureFixture) -> None:
    # Prepare
    hooks.configure(client=events, event_bus_name="platform-bus", source="tournaments.test")
    # Act
    hooks.on_tournament_completed(tournament_id=7, participant_user_ids=[42], winner_user_ids=[42], occurred_at=AT)
    # Assess
    assert (events.sent[0]["EventBusName"], events.sent[0]["Source"]) == ("platform-bus", "tournaments.test")
    hooks.configure(client=FakeEvents())


def test_the_default_client_is_made_on_first_use_and_a_failure_to_make_it_is_kept(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    # Prepare: no client configured, and boto3 cannot make one (no region)
    outbox = hooks.MemoryOutbox()
    hooks.configure(outbox=outbox)
    monkeypatch.setattr(hooks, "_default_client", lambda: (_ for _ in ()).throw(RuntimeError("no region")))
    caplog.set_level(logging.ERROR)
    # Act
    hooks.on_tournament_completed(tournament_id=7, participant_user_ids=[42], winner_user_ids=[], occurred_at=AT)
    # Assess
    [item] = outbox.pending(10)
    assert json.loads(item.entry["Detail"])["tournamentId"] == "7"
    assert "RuntimeError: no region" in (item.last_error or "")
    hooks.configure(client=FakeEvents())


def test_the_default_client_gets_the_configured_retry_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    # Prepare: no client passed; the one made on first use keeps throttling
    throttled = {"ErrorCode": "ThrottlingException", "ErrorMessage": "slow down"}
    made = FakeEvents([lambda entries: {"FailedEntryCount": 1, "Entries": [throttled]}] * 5)
    monkeypatch.setattr(hooks, "_default_client", lambda: made)
    hooks.configure(max_attempts=2, retry_base_delay=0)
    # Act
    hooks.on_tournament_completed(tournament_id=7, participant_user_ids=[42], winner_user_ids=[], occurred_at=AT)
    # Assess
    assert len(made.calls) == 2
    hooks.configure(client=FakeEvents())
