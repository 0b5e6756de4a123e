"""The shared vectors in test/vectors: the recording side's tests read the same files, so both
languages give the same key and the same verdict for every detail."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Dict, List

import pytest
from conftest import REPO_ROOT
from tournament_profile.contract import EVENT_TYPES, USER_LIST_FIELDS, check_detail, idempotency_key, parse_instant
from tournament_profile.details import RESERVED_FIELDS, build_detail

VECTORS = REPO_ROOT / "test" / "vectors"


def _vectors(name: str) -> List[Dict[str, Any]]:
    return json.loads((VECTORS / name).read_text("utf-8"))["vectors"]


VALID = _vectors("valid.json")
INVALID = _vectors("invalid.json")
EQUIVALENT = _vectors("equivalent.json")


def test_the_vectors_cover_all_eight_event_types() -> None:
    assert {v["detailType"] for v in VALID} == set(EVENT_TYPES)
    assert {v["detailType"] for v in INVALID} == set(EVENT_TYPES)


@pytest.mark.parametrize("vector", VALID, ids=[v["name"] for v in VALID])
def test_a_valid_vector_is_accepted_with_its_key(vector: Dict[str, Any]) -> None:
    # Act
    reasons = check_detail(vector["detailType"], vector["detail"])
    # Assess
    assert reasons == []
    assert idempotency_key(vector["detailType"], vector["detail"]) == vector["idempotencyKey"]


@pytest.mark.parametrize("vector", INVALID, ids=[v["name"] for v in INVALID])
def test_an_invalid_vector_is_refused_naming_its_field(vector: Dict[str, Any]) -> None:
    # Act
    reasons = check_detail(vector["detailType"], vector["detail"])
    # Assess
    assert reasons, f"accepted although {vector['reason']}"
    named = "detail:" if vector["field"] is None else f"detail.{vector['field']}"
    assert any(r.startswith(named) for r in reasons), reasons


def _as_sent_by_the_hooks(detail_type: str, detail: Dict[str, Any]) -> str:
    """The detail a hook builds from these values, with user lists as sets as the recording side
    compares them (the hooks keep the caller's order): equal for one action, different otherwise."""
    fields = {k: v for k, v in detail.items() if k in RESERVED_FIELDS}
    fields["occurredAt"] = datetime.fromisoformat(parse_instant(detail["occurredAt"]).replace("Z", "+00:00"))
    extra = {k: v for k, v in detail.items() if k not in RESERVED_FIELDS} or None
    built = build_detail(detail_type, fields, extra)
    for field in USER_LIST_FIELDS:
        if field in built:
            built[field] = sorted(built[field])
    return json.dumps(built, sort_keys=True)


@pytest.mark.parametrize("vector", EQUIVALENT, ids=[v["name"] for v in EQUIVALENT])
def test_an_equivalence_pair_shares_one_key_and_is_one_action_exactly_when_the_vector_says(
    vector: Dict[str, Any],
) -> None:
    # Prepare
    detail_type, first, second = vector["detailType"], vector["first"], vector["second"]
    # Act
    reasons = check_detail(detail_type, first) + check_detail(detail_type, second)
    keys = {idempotency_key(detail_type, first), idempotency_key(detail_type, second)}
    same = _as_sent_by_the_hooks(detail_type, first) == _as_sent_by_the_hooks(detail_type, second)
    # Assess
    assert reasons == []
    assert len(keys) == 1
    assert same is vector["sameAction"], vector["why"]
