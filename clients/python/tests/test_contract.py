"""Canonical ids and instants, as the details leave the package."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from conftest import REPO_ROOT
from tournament_profile.contract import EVENT_TYPES, canonical_instant, normalise_id, parse_instant, schema_of

PLUS_TWO = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc), "2026-05-01T12:00:00.000Z"),
        (datetime(2026, 5, 1, 14, 0, 0, 123456, tzinfo=PLUS_TWO), "2026-05-01T12:00:00.123Z"),
        (datetime(2026, 1, 1, 0, 30, tzinfo=PLUS_TWO), "2025-12-31T22:30:00.000Z"),
        (datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))), "0000-12-31T23:30:00.000Z"),
        (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc), "9999-12-31T23:59:59.999Z"),
    ],
)
def test_an_aware_datetime_leaves_as_utc_at_millisecond_precision(value: datetime, expected: str) -> None:
    assert canonical_instant(value) == expected


def test_three_spellings_of_one_instant_are_one_canonical_instant() -> None:
    spellings = ["2026-05-01T10:00:00.123456+00:00", "2026-05-01T10:00:00.123Z", "2026-05-01T12:00:00.123+02:00"]
    assert {parse_instant(s) for s in spellings} == {"2026-05-01T10:00:00.123Z"}


def test_a_naive_datetime_is_refused_with_a_reason_naming_the_fix() -> None:
    with pytest.raises(ValueError, match="naive datetime.*aware"):
        canonical_instant(datetime(2026, 5, 1, 12, 0))


def test_an_instant_past_the_year_9999_in_utc_is_refused() -> None:
    with pytest.raises(ValueError, match="after the year 9999"):
        canonical_instant(datetime(9999, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-1))))


@pytest.mark.parametrize(("value", "expected"), [(7, "7"), ("7", "7"), (7.0, "7"), ("T-7.a_b", "T-7.a_b")])
def test_ids_are_normalised_to_their_string(value: object, expected: str) -> None:
    assert normalise_id(value) == expected


@pytest.mark.parametrize("value", [True, 0, -1, 1.5, 2**53, "", "a:b", "a#b", "7\n", "x" * 65, None])
def test_a_value_that_is_no_id_is_refused(value: object) -> None:
    with pytest.raises(ValueError):
        normalise_id(value)


@pytest.mark.parametrize("detail_type", sorted(EVENT_TYPES))
def test_the_shipped_schema_is_the_one_in_the_repository(detail_type: str) -> None:
    # The TypeScript drift test checks both copies against the generator; this one checks the
    # package reads its own copy (package data) and that it matches the published file.
    published = (REPO_ROOT / "schemas" / f"{detail_type}.json").read_text("utf-8")
    shipped = REPO_ROOT / "clients" / "python" / "src" / "tournament_profile" / "schemas" / f"{detail_type}.json"
    assert shipped.read_text("utf-8") == published
    assert schema_of(detail_type)["title"] == detail_type
