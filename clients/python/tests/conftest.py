"""Shared fixtures. Django runs for real where it imports (Debian: python3-django); otherwise the
Django-specific tests run against `django_standin`, and the report header and summary say so."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

sys.path.insert(0, str(Path(__file__).parent))

REPO_ROOT = Path(__file__).resolve().parents[3]

try:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
            INSTALLED_APPS=[],
            USE_TZ=True,
        )
    django.setup()
    DJANGO_MODE = f"real Django {django.get_version()}"
except ImportError:
    import django_standin

    django_standin.install()
    DJANGO_MODE = "Django is not importable here: the Django-specific tests use the minimal stand-in in tests/django_standin.py"

from tournament_profile import hooks  # noqa: E402
from tournament_profile.outbox import MemoryOutbox  # noqa: E402


def pytest_report_header(config: Any) -> str:
    return f"django: {DJANGO_MODE} (python {sys.version.split()[0]} at {sys.executable})"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(f"django: {DJANGO_MODE}")


class FakeEvents:
    """A boto3 `events` client double: records each PutEvents call and answers from a script.

    Each script step is an exception to raise or a function from the entries to the response;
    when the script is used up every entry is accepted.
    """

    def __init__(self, script: Optional[List[Any]] = None) -> None:
        self.calls: List[List[Dict[str, Any]]] = []
        self.script = list(script or [])

    def put_events(self, Entries: List[Dict[str, Any]]) -> Dict[str, Any]:  # noqa: N803 - boto3's name
        self.calls.append(Entries)
        if self.script:
            step = self.script.pop(0)
            if isinstance(step, BaseException):
                raise step
            return step(Entries)
        return accept_all(Entries)

    @property
    def sent(self) -> List[Dict[str, Any]]:
        return [entry for call in self.calls for entry in call]


def accept_all(entries: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {"FailedEntryCount": 0, "Entries": [{"EventId": f"e{i}"} for i in range(len(entries))]}


def fail_where(predicate: Callable[[int, Dict[str, Any]], bool], code: str = "ThrottlingException") -> Callable:
    """A response failing the entries `predicate(position, entry)` picks, with `code`."""

    def respond(entries: List[Dict[str, Any]]) -> Dict[str, Any]:
        results = [
            {"ErrorCode": code, "ErrorMessage": "injected"} if predicate(i, e) else {"EventId": f"e{i}"}
            for i, e in enumerate(entries)
        ]
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}

    return respond


@pytest.fixture
def events() -> FakeEvents:
    return FakeEvents()


@pytest.fixture
def outbox() -> MemoryOutbox:
    return MemoryOutbox()


@pytest.fixture
def configured(events: FakeEvents, outbox: MemoryOutbox, caplog: pytest.LogCaptureFixture) -> Iterator[FakeEvents]:
    """The hooks, configured with the fake client, an in-memory outbox and no retry waits."""
    caplog.set_level(logging.INFO, logger="tournament_profile")
    hooks.configure(client=events, outbox=outbox, logger=logging.getLogger("tournament_profile.test"),
                    retry_base_delay=0)
    yield events
    hooks.configure(client=FakeEvents())
