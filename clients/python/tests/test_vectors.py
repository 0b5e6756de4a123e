"""The shared vectors in test/vectors: the recording side's tests read the same files, so both
languages give the same key and the same verdict for every detail."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest
from conftest import REPO_ROOT
from tournament_profile.contract import EVENT_TYPES, check_detail, idempotency_key

VECTORS = REPO_ROOT / "test" / "vectors"


def _vectors(name: str) -> List[Dict[str, Any]]:
    return json.loads((VECTORS / name).read_text("utf-8"))["vectors"]


VALID = _vectors("valid.json")
INVALID = _vectors("invalid.json")


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
