"""Builds an event's detail from a hook's keyword arguments, in the contract's canonical form: ids as
strings (`7` and `"7"` are one id, and one game), user lists without repeats, `occurredAt` as the
UTC instant at millisecond precision with a `Z`. A resend of the same action therefore carries the
same bytes whatever zone or type the platform passed the values in."""

from __future__ import annotations

import enum
import re
from datetime import datetime
from typing import Any, Dict, Iterable, List, Mapping, Optional

from .contract import (
    ID_FIELDS, MAX_SAFE_INTEGER, USER_LIST_FIELDS, canonical_instant, check_detail, normalise_id,
)

_ID_FIELDS = frozenset(ID_FIELDS)
_USER_LIST_FIELDS = frozenset(USER_LIST_FIELDS)
_BOOLEAN_FIELDS = frozenset({"checkedIn", "isDraw"})
_WORD_FIELDS = frozenset({"status", "resolution"})
#: Optional fields a hook leaves out of the detail when their argument is `None` (not given).
_OPTIONAL_FIELDS = frozenset({"revision", "isDraw", "gameId"})
#: Fields `extra` may not set: they belong to the contract, and some are part of the key.
RESERVED_FIELDS = _ID_FIELDS | _USER_LIST_FIELDS | _BOOLEAN_FIELDS | _WORD_FIELDS | frozenset(
    {"occurredAt", "revision", "schemaVersion"}
)


class InvalidArguments(ValueError):
    """A hook was called with arguments that break the contract; `reasons` names each one."""

    def __init__(self, reasons: List[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def argument_name(field: str) -> str:
    """The hook argument a detail field comes from (`participantUserIds` -> `participant_user_ids`)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", field).lower()


def _user_list(value: Any) -> List[str]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise ValueError(f"must be a list (or other iterable) of ids, got {type(value).__name__}")
    unique: Dict[str, None] = {}
    for position, user in enumerate(value):
        try:
            unique.setdefault(normalise_id(user), None)
        except ValueError as error:
            raise ValueError(f"entry {position} {error}") from None
    return list(unique)


def _word(value: Any) -> str:
    if isinstance(value, enum.Enum):  # Django TextChoices and other enums: their value is the word
        value = value.value
    if not isinstance(value, str):
        raise ValueError(f"must be a string, got {type(value).__name__}")
    return str(value)


def _revision(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SAFE_INTEGER:
        raise ValueError(f"must be a whole number from 0 to {MAX_SAFE_INTEGER}, got {value!r}")
    return int(value)


def _canonical(field: str, value: Any) -> Any:
    if field in _ID_FIELDS:
        return normalise_id(value)
    if field in _USER_LIST_FIELDS:
        return _user_list(value)
    if field in _BOOLEAN_FIELDS:
        if not isinstance(value, bool):
            raise ValueError(f"must be True or False, got {value!r}")
        return value
    if field in _WORD_FIELDS:
        return _word(value)
    if field == "occurredAt":
        if not isinstance(value, datetime):
            raise ValueError(f"must be a timezone-aware datetime, got {type(value).__name__}")
        return canonical_instant(value)
    if field == "revision":
        return _revision(value)
    raise ValueError("is not a field of the contract")  # a programming error in this package


def build_detail(detail_type: str, fields: Mapping[str, Any], extra: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """The canonical detail for `fields` (camelCase, `None` meaning "not given" for optional ones).

    Raises InvalidArguments naming every bad argument when the result would break the contract.
    """
    reasons: List[str] = []
    detail: Dict[str, Any] = {}
    if extra is not None:
        if not isinstance(extra, Mapping) or not all(isinstance(k, str) for k in extra):
            reasons.append("extra: must be a dict with string keys")
        else:
            clashes = sorted(RESERVED_FIELDS.intersection(extra))
            if clashes:
                reasons.append(f"extra: may not set the contract's fields {', '.join(clashes)}; pass them as arguments")
            detail.update(extra)
    for field, value in fields.items():
        if value is None and field in _OPTIONAL_FIELDS:
            continue
        try:
            detail[field] = _canonical(field, value)
        except ValueError as error:
            reasons.append(f"{argument_name(field)}: {error}")
    if not reasons:
        reasons = [_name_argument(r) for r in check_detail(detail_type, detail)]
    if reasons:
        raise InvalidArguments(reasons)
    return detail


def _name_argument(reason: str) -> str:
    """Rewrites `detail.winnerUserIds.0: ...` as `winner_user_ids[0]: ...`, the caller's vocabulary."""
    match = re.match(r"detail\.([A-Za-z]+)((?:\.\d+)*): (.*)", reason, re.S)
    if not match:
        return reason
    field, indexes, message = match.groups()
    positions = "".join(f"[{i}]" for i in indexes.split(".") if i)
    return f"{argument_name(field)}{positions}: {message}"
