"""The platform's eight integration hooks, ready to call from its services.

Each hook builds the event's detail in the contract's canonical form, checks it against the
contract, and publishes it to EventBridge after the surrounding Django transaction commits (at once
outside a transaction or without Django). Every hook takes an optional `game_id`, the game the
tournament is played in (an id, like the others). A hook never raises: a bad argument is logged with
its reason and nothing is sent; a failed publish is retried a bounded number of times with jitter,
then logged and kept in the outbox, which `flush()` sends again.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, TypeVar

from .commit import after_commit
from .contract import idempotency_key
from .details import InvalidArguments, build_detail
from .outbox import MemoryOutbox, Outbox
from .sender import Sender

__all__ = [
    "configure", "flush", "FlushResult",
    "on_registration_status_change", "on_payment_status_change", "on_checkin_toggled",
    "on_match_result_submitted", "on_dispute_opened", "on_dispute_resolved", "on_match_finalized",
    "on_tournament_completed",
]

Id = Any  # a string id or a positive int; checked at run time
Extra = Optional[Mapping[str, Any]]
_F = TypeVar("_F", bound=Callable[..., None])


@dataclass
class _Settings:
    sender: Optional[Sender]
    event_bus_name: str
    source: str
    outbox: Outbox
    log: logging.Logger
    max_attempts: int = 3
    retry_base_delay: float = 0.05


_lock = threading.Lock()
_settings = _Settings(None, "tournaments", "tournaments", MemoryOutbox(), logging.getLogger(__name__))


def _default_client() -> Any:
    import boto3
    from botocore.config import Config

    # One attempt per call and short timeouts: the hooks run in the platform's request after commit,
    # and they do their own bounded retries of only the entries that failed.
    return boto3.client(
        "events", config=Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=5)
    )


def configure(
    *,
    client: Any = None,
    event_bus_name: str = "tournaments",
    source: str = "tournaments",
    outbox: Optional[Outbox] = None,
    logger: Optional[logging.Logger] = None,
    max_attempts: int = 3,
    retry_base_delay: float = 0.05,
) -> None:
    """Sets where and how the hooks publish. Call it once at start-up (an AppConfig's `ready()`).

    `client` is a boto3 `events` client (default: `boto3.client("events")` with one attempt per call
    and short timeouts; a client you pass keeps its own settings). `outbox` keeps what could not be
    sent (default: in memory, lost on restart; pass a `SqliteOutbox` or your own). Failed entries are
    resent up to `max_attempts` times in all, the n-th retry after a random wait of up to
    `retry_base_delay * 2 ** (n - 1)` seconds (at most 1 s).
    """
    global _settings
    sender = None if client is None else Sender(client, max_attempts=max_attempts, base_delay=retry_base_delay)
    with _lock:
        _settings = _Settings(
            sender=sender,
            max_attempts=max_attempts,
            retry_base_delay=retry_base_delay,
            event_bus_name=event_bus_name,
            source=source,
            outbox=outbox if outbox is not None else MemoryOutbox(),
            log=logger or logging.getLogger(__name__),
        )


def _sender() -> Sender:
    with _lock:
        if _settings.sender is None:
            _settings.sender = Sender(
                _default_client(), max_attempts=_settings.max_attempts, base_delay=_settings.retry_base_delay
            )
        return _settings.sender


def _deliver(entries: List[Dict[str, Any]], describe: Callable[[Dict[str, Any]], str]) -> None:
    """Sends entries now; what fails goes to the outbox. Never raises."""
    settings = _settings
    try:
        failures = _sender().send(entries)
        failed = [(f.entry, f"{f.error_code}: {f.error_message}") for f in failures]
    except Exception as error:  # noqa: BLE001 - e.g. no region or credentials for the default client
        failed = [(entry, f"{type(error).__name__}: {error}") for entry in entries]
    for entry, error in failed:
        settings.log.error("tournament event %s not published (%s): kept in the outbox", describe(entry), error)
        try:
            settings.outbox.add([entry], error)
        except Exception as outbox_error:  # noqa: BLE001 - last resort: the log line keeps the event
            settings.log.critical(
                "tournament event %s LOST: the outbox refused it (%s); entry: %s",
                describe(entry), outbox_error, json.dumps(entry),
            )


def _describe(entry: Mapping[str, Any]) -> str:
    try:
        return f"{entry['DetailType']} {idempotency_key(entry['DetailType'], json.loads(entry['Detail']))}"
    except Exception:  # noqa: BLE001 - a description must not fail
        return str(entry.get("DetailType"))


def _publish(hook: str, detail_type: str, fields: Dict[str, Any], extra: Extra) -> None:
    settings = _settings
    try:
        detail = build_detail(detail_type, fields, extra)
    except InvalidArguments as error:
        settings.log.error("%s: nothing sent, bad arguments: %s", hook, "; ".join(error.reasons))
        return
    entry = {
        "EventBusName": settings.event_bus_name,
        "Source": settings.source,
        "DetailType": detail_type,
        "Detail": json.dumps(detail, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
    }
    after_commit(_guarded(hook, lambda: _deliver([entry], _describe)), settings.log)


def _guarded(name: str, work: Callable[[], None]) -> Callable[[], None]:
    """`work`, made unable to raise: it also runs after commit, outside the hook's own call, where
    Django before 4.2 would let an exception out of the atomic block into the tournament operation."""

    def run() -> None:
        try:
            work()
        except Exception as error:  # noqa: BLE001
            try:
                _settings.log.error("%s: nothing sent, the call failed: %s", name, error, exc_info=True)
            except Exception:  # noqa: BLE001, S110 - a broken logger must not break the platform either
                pass

    return run


def _never_raises(function: _F) -> _F:
    """No exception reaches the tournament operation, not even one from a wrong call."""

    @functools.wraps(function)
    def hook(*args: Any, **kwargs: Any) -> None:
        _guarded(function.__name__, lambda: function(*args, **kwargs))()

    return hook  # type: ignore[return-value]


@_never_raises
def on_registration_status_change(
    *, registration_id: Id, tournament_id: Id, status: str, user_ids: Iterable[Id], occurred_at: datetime,
    game_id: Optional[Id] = None, revision: Optional[int] = None,
    extra: Extra = None,
) -> None:
    """A registration was approved or rejected (`status`): `RegistrationStatusChanged`."""
    _publish("on_registration_status_change", "RegistrationStatusChanged", {
        "tournamentId": tournament_id, "occurredAt": occurred_at, "registrationId": registration_id,
        "status": status, "userIds": user_ids, "gameId": game_id, "revision": revision}, extra)


@_never_raises
def on_payment_status_change(
    *, payment_id: Id, registration_id: Id, tournament_id: Id, status: str, user_ids: Iterable[Id],
    occurred_at: datetime, game_id: Optional[Id] = None, revision: Optional[int] = None,
    extra: Extra = None,
) -> None:
    """A payment was verified or rejected (`status`): `PaymentStatusChanged`."""
    _publish("on_payment_status_change", "PaymentStatusChanged", {
        "tournamentId": tournament_id, "occurredAt": occurred_at, "paymentId": payment_id,
        "registrationId": registration_id, "status": status, "userIds": user_ids, "gameId": game_id,
        "revision": revision}, extra)


@_never_raises
def on_checkin_toggled(
    *, registration_id: Id, tournament_id: Id, checked_in: bool, user_ids: Iterable[Id], occurred_at: datetime,
    game_id: Optional[Id] = None, revision: Optional[int] = None,
    extra: Extra = None,
) -> None:
    """A registration was checked in or out. Pass `revision` (a toggle counter): a toggle can recur."""
    _publish("on_checkin_toggled", "CheckInToggled", {
        "tournamentId": tournament_id, "occurredAt": occurred_at, "registrationId": registration_id,
        "checkedIn": checked_in, "userIds": user_ids, "gameId": game_id, "revision": revision}, extra)


@_never_raises
def on_match_result_submitted(
    *, match_id: Id, tournament_id: Id, submitted_by_user_id: Id, participant_user_ids: Iterable[Id],
    occurred_at: datetime, game_id: Optional[Id] = None, revision: Optional[int] = None,
    extra: Extra = None,
) -> None:
    """One side reported a match result: `MatchResultSubmitted`, keyed by the submitter."""
    _publish("on_match_result_submitted", "MatchResultSubmitted", {
        "tournamentId": tournament_id, "occurredAt": occurred_at, "matchId": match_id,
        "submittedByUserId": submitted_by_user_id, "participantUserIds": participant_user_ids,
        "gameId": game_id, "revision": revision}, extra)


@_never_raises
def on_dispute_opened(
    *, dispute_id: Id, match_id: Id, tournament_id: Id, opened_by_user_id: Id, participant_user_ids: Iterable[Id],
    occurred_at: datetime, game_id: Optional[Id] = None, revision: Optional[int] = None,
    extra: Extra = None,
) -> None:
    """A participant disputed a match result: `DisputeOpened`."""
    _publish("on_dispute_opened", "DisputeOpened", {
        "tournamentId": tournament_id, "occurredAt": occurred_at, "disputeId": dispute_id, "matchId": match_id,
        "openedByUserId": opened_by_user_id, "participantUserIds": participant_user_ids,
        "gameId": game_id, "revision": revision}, extra)


@_never_raises
def on_dispute_resolved(
    *, dispute_id: Id, match_id: Id, tournament_id: Id, resolution: str, participant_user_ids: Iterable[Id],
    occurred_at: datetime, game_id: Optional[Id] = None, revision: Optional[int] = None,
    extra: Extra = None,
) -> None:
    """A dispute was upheld or rejected (`resolution`): `DisputeResolved`."""
    _publish("on_dispute_resolved", "DisputeResolved", {
        "tournamentId": tournament_id, "occurredAt": occurred_at, "disputeId": dispute_id, "matchId": match_id,
        "resolution": resolution, "participantUserIds": participant_user_ids, "gameId": game_id,
        "revision": revision}, extra)


@_never_raises
def on_match_finalized(
    *, match_id: Id, tournament_id: Id, resolution: str, participant_user_ids: Iterable[Id],
    winner_user_ids: Iterable[Id], occurred_at: datetime, is_draw: bool = False,
    game_id: Optional[Id] = None, revision: Optional[int] = None,
    extra: Extra = None,
) -> None:
    """A match result became final (`completed`, `forfeit` or `dispute_resolved`): `MatchFinalized`."""
    _publish("on_match_finalized", "MatchFinalized", {
        "tournamentId": tournament_id, "occurredAt": occurred_at, "matchId": match_id, "resolution": resolution,
        "participantUserIds": participant_user_ids, "winnerUserIds": winner_user_ids, "isDraw": is_draw,
        "gameId": game_id, "revision": revision}, extra)


@_never_raises
def on_tournament_completed(
    *, tournament_id: Id, participant_user_ids: Iterable[Id], winner_user_ids: Iterable[Id],
    occurred_at: datetime, game_id: Optional[Id] = None, revision: Optional[int] = None,
    extra: Extra = None,
) -> None:
    """A tournament finished: `TournamentCompleted`."""
    _publish("on_tournament_completed", "TournamentCompleted", {
        "tournamentId": tournament_id, "occurredAt": occurred_at, "participantUserIds": participant_user_ids,
        "winnerUserIds": winner_user_ids, "gameId": game_id, "revision": revision}, extra)


@dataclass(frozen=True)
class FlushResult:
    """What one `flush()` did: entries sent, entries still failing (kept, attempts counted)."""

    sent: int
    failed: int


def flush(*, batch_size: int = 100) -> FlushResult:
    """Resends every entry the outbox held when the flush began; sent ones leave the outbox.

    Run it from a periodic task (cron, Celery beat). Sending twice is free, so overlapping flushes
    and a flush after a send that did get through are harmless. Never raises: a failure is logged.
    """
    settings, sent, failed, last_id = _settings, 0, 0, 0
    try:
        # Pages by id, so each entry is tried once per flush, including those that keep failing.
        while items := settings.outbox.pending(batch_size, last_id):
            last_id = items[-1].id
            failures = {items[f.index].id: f for f in _sender().send([item.entry for item in items])}
            for item_id, failure in failures.items():
                settings.outbox.record_failure([item_id], f"{failure.error_code}: {failure.error_message}")
            settings.outbox.remove([i.id for i in items if i.id not in failures])
            sent += len(items) - len(failures)
            failed += len(failures)
    except Exception as error:  # noqa: BLE001
        settings.log.error("tournament events: flush stopped: %s; what was not sent stays in the outbox", error)
    if failed:
        settings.log.error("tournament events: %d still not published after flush; kept in the outbox", failed)
    return FlushResult(sent, failed)
