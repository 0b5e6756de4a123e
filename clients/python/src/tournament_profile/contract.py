"""The event contract as a publisher checks it: the eight event types, the JSON Schemas shipped in
this package, the rules a JSON Schema cannot state, and the idempotency key.

The recording side is the authority; this module refuses early what it would refuse, so a bad call
is logged on the platform instead of becoming a dead letter. The shared test vectors in the project
(`test/vectors/*.json`) hold both implementations to the same verdicts and keys.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from jsonschema import Draft202012Validator

#: Largest positive integer an id or a revision may be (JavaScript's Number.MAX_SAFE_INTEGER).
MAX_SAFE_INTEGER = 9_007_199_254_740_991
#: Largest accepted detail in bytes of UTF-8 JSON: the contract's one size limit (docs/contract.md).
MAX_DETAIL_BYTES = 240_000
#: Largest number of users one event may name.
MAX_USERS_PER_EVENT = 1000
#: Deepest accepted nesting of a detail (objects and arrays; the detail itself is level 1).
MAX_DETAIL_DEPTH = 100

# fullmatch with ASCII classes: Python's `$` also matches before a final newline and `\d` matches
# any Unicode digit, both of which the schema's patterns would let through here but not in JavaScript.
_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}", re.ASCII)
_INSTANT = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})T(?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2})(?P<fraction>\.[0-9]+)?"
    r"(?:Z|(?P<sign>[+-])(?P<oh>[0-9]{2}):(?P<om>[0-9]{2}))",
    re.ASCII,
)
# The Gregorian calendar repeats every 400 years, so shifting by it keeps dates valid while letting
# Python's datetime (years 1-9999) represent a UTC instant in the year 0000.
_CYCLE_YEARS = 400


@dataclass(frozen=True)
class EventType:
    """How one event type maps onto the idempotency key (see the contract's table)."""

    detail_type: str
    kind: str
    entity_id_field: str
    users_field: str
    #: The key's status word for a valid detail.
    status: Callable[[Mapping[str, Any]], str]
    #: Fields holding ids that must be among `participantUserIds`.
    participant_fields: Tuple[str, ...] = ()


EVENT_TYPES: Dict[str, EventType] = {
    t.detail_type: t
    for t in (
        EventType("RegistrationStatusChanged", "registration_status", "registrationId", "userIds",
                  lambda d: str(d["status"])),
        EventType("PaymentStatusChanged", "payment_status", "paymentId", "userIds",
                  lambda d: str(d["status"])),
        EventType("CheckInToggled", "checkin", "registrationId", "userIds",
                  lambda d: "checked_in" if d["checkedIn"] else "checked_out"),
        EventType("MatchResultSubmitted", "match_result", "matchId", "participantUserIds",
                  lambda d: "submitted_by_" + normalise_id(d["submittedByUserId"]),
                  ("submittedByUserId",)),
        EventType("MatchFinalized", "match_finalized", "matchId", "participantUserIds",
                  lambda d: str(d["resolution"]), ("winnerUserIds",)),
        EventType("DisputeOpened", "dispute_opened", "disputeId", "participantUserIds",
                  lambda _: "open", ("openedByUserId",)),
        EventType("DisputeResolved", "dispute_resolved", "disputeId", "participantUserIds",
                  lambda d: str(d["resolution"])),
        EventType("TournamentCompleted", "tournament_completed", "tournamentId", "participantUserIds",
                  lambda _: "completed", ("winnerUserIds",)),
    )
}

#: Detail fields holding one id: every type's entity id and the other ids, `gameId` (optional on
#: every type) included.
ID_FIELDS = ("tournamentId", "registrationId", "paymentId", "matchId", "disputeId",
             "submittedByUserId", "openedByUserId", "gameId")
#: Detail fields holding a list of user ids (compared as sets by the recording side).
USER_LIST_FIELDS = ("userIds", "participantUserIds", "winnerUserIds")


def normalise_id(value: Any) -> str:
    """The id's canonical string (`7` and `"7"` are one id); raises ValueError when it is no id."""
    if isinstance(value, bool):
        raise ValueError("must be an id: 1-64 characters from A-Z a-z 0-9 _ . - or a positive whole number")
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON 7.0 is the number 7, as JavaScript reads it
    if isinstance(value, int):
        if 0 < value <= MAX_SAFE_INTEGER:
            return str(value)
        raise ValueError(f"must be a positive whole number up to {MAX_SAFE_INTEGER}, got {value}")
    if isinstance(value, str) and _ID.fullmatch(value):
        return value
    raise ValueError(
        f"must be an id: 1-64 characters from A-Z a-z 0-9 _ . - (no ':', '#', spaces) "
        f"or a positive whole number, got {value!r}"
    )


def canonical_instant(value: datetime) -> str:
    """The contract's form of an instant: UTC, millisecond precision, `Z` (finer digits dropped).

    Raises ValueError for a naive datetime or an instant whose UTC form leaves the years 0000-9999.
    """
    if not isinstance(value, datetime):
        raise ValueError(f"must be a timezone-aware datetime, got {type(value).__name__}")
    offset = value.utcoffset()
    if offset is None:
        raise ValueError(
            "is a naive datetime (no zone): pass an aware one, e.g. django.utils.timezone.now() with USE_TZ = True"
        )
    shift = _CYCLE_YEARS if value.year <= _CYCLE_YEARS else 0
    return _utc_text(value.replace(tzinfo=None, year=value.year + shift), shift, offset)


def parse_instant(text: str) -> str:
    """Canonical form of an ISO-8601 instant as a detail carries it; ValueError when it is not one."""
    match = _INSTANT.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise ValueError("must be an ISO-8601 instant with a zone, for example 2026-05-01T12:00:00Z")
    year = int(match["date"][:4])
    shift = _CYCLE_YEARS if year <= _CYCLE_YEARS else 0
    try:
        local = datetime.fromisoformat(f"{year + shift:04d}{match['date'][4:]}T{match['time']}")
    except ValueError:
        raise ValueError("is not a real calendar date and time") from None
    micros = int(((match["fraction"] or ".0")[1:] + "000000")[:6])
    offset = timedelta(0)
    if match["sign"]:
        hours, minutes = int(match["oh"]), int(match["om"])
        if hours > 23 or minutes > 59:
            raise ValueError("has an offset outside -23:59..+23:59")
        offset = timedelta(hours=hours, minutes=minutes) * (1 if match["sign"] == "+" else -1)
    return _utc_text(local.replace(microsecond=micros), shift, offset)


def _utc_text(local: datetime, shift: int, offset: timedelta) -> str:
    """`local` is the wall-clock time `shift` years later than the real one (0 or 400)."""
    try:
        utc = local - offset
    except OverflowError:
        raise ValueError("falls after the year 9999 once converted to UTC") from None
    year = utc.year - shift
    if year < 0:
        raise ValueError("falls before the year 0000 once converted to UTC")
    return f"{year:04d}-{utc:%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


@lru_cache(maxsize=None)
def schema_of(detail_type: str) -> Dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one event type's detail, as shipped in this package."""
    text = resources.files(__package__).joinpath("schemas", f"{detail_type}.json").read_text("utf-8")
    return json.loads(text)


@lru_cache(maxsize=None)
def _validator(detail_type: str) -> Draft202012Validator:
    return Draft202012Validator(schema_of(detail_type))


def _path(parts: Any) -> str:
    return ".".join(["detail", *(str(p) for p in parts)])


def _reason(error: Any, detail: Mapping[str, Any]) -> str:
    if error.validator == "required" and not error.absolute_path:
        missing = [field for field in error.validator_value if field not in detail]
        return "; ".join(f"detail.{field}: is required" for field in missing)
    return f"{_path(error.absolute_path)}: {error.message}"


def check_detail(detail_type: str, detail: Any) -> List[str]:
    """Every reason the recording side would refuse this detail for; empty when it is valid."""
    definition = EVENT_TYPES.get(detail_type)
    if definition is None:
        return [f"detail-type: {detail_type!r} is not one of the contract's event types"]
    if not isinstance(detail, dict):
        return ["detail: must be a JSON object"]
    if _depth(detail) > MAX_DETAIL_DEPTH:
        return [f"detail: nested more than {MAX_DETAIL_DEPTH} levels deep; flatten the extra fields"]
    try:
        size = len(json.dumps(detail, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode())
    except (TypeError, ValueError) as error:
        return [f"detail: is not plain JSON ({error})"]
    if size > MAX_DETAIL_BYTES:
        return [f"detail: {size} bytes of JSON, more than the {MAX_DETAIL_BYTES} the contract allows: move large data out of the event"]
    reasons = [_reason(e, detail) for e in _validator(detail_type).iter_errors(detail)]
    reasons += _field_rules(detail)
    if not reasons:  # the participant rules need every field present and well-formed
        reasons = _participant_rules(definition, detail)
    return sorted(set(reasons))


def _depth(value: Any) -> int:
    """Nesting depth of a JSON value, without recursion (an `extra` may be hostile)."""
    deepest, pending = 0, [(value, 1)]
    while pending and deepest <= MAX_DETAIL_DEPTH:
        current, depth = pending.pop()
        if isinstance(current, (dict, list, tuple)):
            deepest = max(deepest, depth)
            children = current.values() if isinstance(current, dict) else current
            pending.extend((child, depth + 1) for child in children)
    return deepest


def _field_rules(detail: Mapping[str, Any]) -> List[str]:
    """The rules Python's regular expressions would let through (`$` before a newline, Unicode
    digits) and the instant's calendar and UTC-year checks."""
    reasons: List[str] = []
    for field in ID_FIELDS:
        if field in detail:
            try:
                normalise_id(detail[field])
            except ValueError as error:
                reasons.append(f"detail.{field}: {error}")
    for field in USER_LIST_FIELDS:
        for index, user in enumerate(detail[field] if isinstance(detail.get(field), list) else []):
            try:
                normalise_id(user)
            except ValueError as error:
                reasons.append(f"detail.{field}.{index}: {error}")
    if isinstance(detail.get("occurredAt"), str):
        try:
            parse_instant(detail["occurredAt"])
        except ValueError as error:
            reasons.append(f"detail.occurredAt: {error}")
    return reasons


def _participant_rules(definition: EventType, detail: Mapping[str, Any]) -> List[str]:
    participants = {normalise_id(u) for u in detail.get("participantUserIds", [])}
    reasons = []
    for field in definition.participant_fields:
        value = detail.get(field)
        for index, user in enumerate(value if isinstance(value, list) else [value]):
            if normalise_id(user) not in participants:
                where = f"{field}.{index}" if isinstance(value, list) else field
                reasons.append(f"detail.{where}: user {normalise_id(user)} is not among participantUserIds")
    return reasons


def idempotency_key(detail_type: str, detail: Mapping[str, Any]) -> str:
    """`{kind}:{entityId}:{status}[:{revision}]` of a valid detail: the same for every retry of an action."""
    definition = EVENT_TYPES[detail_type]
    parts = [definition.kind, normalise_id(detail[definition.entity_id_field]), definition.status(detail)]
    revision: Optional[Any] = detail.get("revision")
    if revision is not None:
        parts.append(str(int(revision)))
    return ":".join(parts)
