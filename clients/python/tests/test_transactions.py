"""Publishing after commit. These run against real Django where it imports (an in-memory SQLite
database) and against tests/django_standin.py otherwise; the report header says which."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from typing import Any, List

import pytest
from conftest import DJANGO_MODE, FakeEvents
from django.db import transaction
from tournament_profile import commit, hooks

AT = datetime(2026, 5, 2, 10, 0, tzinfo=timezone.utc)


class RolledBack(Exception):
    pass


def approve(registration_id: int = 123) -> None:
    hooks.on_registration_status_change(registration_id=registration_id, tournament_id=7, status="approved",
                                        user_ids=[42], occurred_at=AT)


def test_a_call_inside_a_transaction_publishes_only_after_commit(configured: FakeEvents) -> None:
    # Act
    with transaction.atomic():
        approve()
        sent_before_commit = len(configured.calls)
    # Assess
    assert sent_before_commit == 0
    assert len(configured.sent) == 1


def test_a_rolled_back_transaction_sends_nothing(configured: FakeEvents) -> None:
    # Act
    with pytest.raises(RolledBack):
        with transaction.atomic():
            approve()
            raise RolledBack
    # Assess
    assert configured.calls == []


def test_a_call_in_a_rolled_back_savepoint_is_dropped_and_the_rest_published(configured: FakeEvents) -> None:
    # Act
    with transaction.atomic():
        approve(1)
        with pytest.raises(RolledBack):
            with transaction.atomic():
                approve(2)
                raise RolledBack
    # Assess
    assert [e["Detail"].count('"registrationId":"1"') for e in configured.sent] == [1]


def test_a_call_outside_a_transaction_publishes_at_once(configured: FakeEvents) -> None:
    # Act
    approve()
    # Assess
    assert len(configured.sent) == 1


def test_without_django_a_call_publishes_at_once(configured: FakeEvents, monkeypatch: pytest.MonkeyPatch) -> None:
    # Prepare: make `import django.conf` fail, as on a machine without Django
    monkeypatch.setitem(sys.modules, "django.conf", None)
    # Act
    approve()
    # Assess
    assert commit.django_transaction() is None
    assert len(configured.sent) == 1


def test_on_commit_is_asked_for_robust_where_the_django_version_has_it(
    configured: FakeEvents, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Prepare: one on_commit with Django 4.2's signature, one with the older one
    seen: List[Any] = []

    def modern(func: Any, using: Any = None, robust: bool = False) -> None:
        seen.append(("modern", robust))
        func()

    def older(func: Any, using: Any = None) -> None:
        seen.append(("older", None))
        func()

    # Act
    for on_commit in (modern, older):
        monkeypatch.setattr(transaction, "on_commit", on_commit)
        approve()
    # Assess
    assert seen == [("modern", True), ("older", None)]
    assert len(configured.sent) == 2


def test_the_real_on_commit_signature_is_read_correctly() -> None:
    # Prepare
    import django

    expected = DJANGO_MODE.startswith("real") and django.VERSION >= (4, 2) or not DJANGO_MODE.startswith("real")
    # Act / Assess (the stand-in models Django 4.2's signature)
    assert commit.accepts_robust(transaction.on_commit) is expected


def test_when_on_commit_refuses_the_event_is_published_at_once_with_a_warning(
    configured: FakeEvents, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    # Prepare
    def refuse(func: Any, using: Any = None, robust: bool = False) -> None:
        raise RuntimeError("on_commit() cannot be used in manual transaction management")

    monkeypatch.setattr(transaction, "on_commit", refuse)
    # Act
    approve()
    # Assess
    assert len(configured.sent) == 1
    assert "transaction.on_commit refused" in caplog.text


def test_a_publish_failure_after_commit_never_reaches_the_committing_code(configured: FakeEvents) -> None:
    # Prepare
    configured.script = [RuntimeError("bus exploded")]
    # Act: leaving the atomic block runs the publish; it must not raise here
    with transaction.atomic():
        approve()
    # Assess
    assert len(configured.calls) == 1


def test_even_a_broken_logger_cannot_raise_out_of_a_committing_transaction(events: FakeEvents) -> None:
    # Prepare: the publish fails and kept entries cannot be logged either
    class BrokenLogger:
        def __getattr__(self, name: str) -> Any:
            def fail(*args: Any, **kwargs: Any) -> None:
                raise RuntimeError("log handler is down")

            return fail

    events.script = [RuntimeError("bus exploded")]
    hooks.configure(client=events, logger=BrokenLogger())  # type: ignore[arg-type]
    # Act
    with transaction.atomic():
        approve()
    hooks.on_registration_status_change(registration_id=1)  # type: ignore[call-arg]
    # Assess: reaching this line is the point; the first publish was attempted
    assert len(events.calls) == 1
    hooks.configure(client=FakeEvents())
