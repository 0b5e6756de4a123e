"""docs/publishing.md's Python section runs as written, and its migration table names real hooks."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict

import pytest
from conftest import REPO_ROOT, FakeEvents
from django.conf import settings
from tournament_profile import hooks
from tournament_profile.outbox import SqliteOutbox

DOC = (REPO_ROOT / "docs" / "publishing.md").read_text("utf-8")
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", DOC, re.S)
MIGRATION = DOC[DOC.index("### Moving from the old integration"):]


def test_the_examples_configure_the_hooks_and_publish_after_commit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    # Prepare: run every Python block of the page, as a platform would paste them
    namespace: Dict[str, Any] = {}
    for block in PYTHON_BLOCKS:
        exec(compile(block, "docs/publishing.md", "exec"), namespace)  # noqa: S102 - our own documentation
    events = FakeEvents()
    monkeypatch.setattr(hooks, "_default_client", lambda: events)
    monkeypatch.setattr(settings, "TOURNAMENT_EVENT_OUTBOX", str(tmp_path / "outbox.sqlite3"), raising=False)
    namespace["TournamentsConfig"].ready(None)
    registration = SimpleNamespace(id=123, tournament_id=7, user_id=42, status="pending", save=lambda: None,
                                   updated_at=datetime(2026, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))))
    # Act
    namespace["approve_registration"](registration)
    # Assess
    assert isinstance(hooks._settings.outbox, SqliteOutbox)
    [entry] = events.sent
    assert entry["DetailType"] == "RegistrationStatusChanged"
    assert json.loads(entry["Detail"]) == {"tournamentId": "7", "occurredAt": "2026-05-01T12:00:00.000Z",
                                           "registrationId": "123", "status": "approved", "userIds": ["42"]}
    hooks.configure(client=FakeEvents())


def test_the_migration_table_maps_ten_placements_to_the_packages_hooks() -> None:
    # Prepare
    rows = re.findall(r"^\| (\d+) \| [^|]+ \| `hooks\.(\w+)\(", MIGRATION, re.M)
    # Assess
    assert [int(n) for n, _ in rows] == list(range(1, 11))
    assert {name for _, name in rows} == {name for name in hooks.__all__ if name.startswith("on_")}
