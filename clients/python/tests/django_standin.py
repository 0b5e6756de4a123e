"""A minimal stand-in for the part of Django the hooks use, for machines where Django is missing.

It models what the hooks rely on: `settings.configured`, and `transaction.atomic()` /
`transaction.on_commit(func, using=None, robust=False)` with Django's semantics (callbacks run
after the outermost block commits, are dropped when a block rolls back, and run at once outside
any block). Where Django imports, the tests use the real one instead.
"""

from __future__ import annotations

import sys
import types
from contextlib import contextmanager
from typing import Callable, Iterator, List, Tuple


class StandInTransaction:
    def __init__(self) -> None:
        self._blocks: List[List[Tuple[Callable[[], None], bool]]] = []

    @contextmanager
    def atomic(self) -> Iterator[None]:
        self._blocks.append([])
        try:
            yield
        except BaseException:
            self._blocks.pop()  # rolled back: its callbacks never run
            raise
        callbacks = self._blocks.pop()
        if self._blocks:
            self._blocks[-1].extend(callbacks)  # a savepoint: wait for the outer commit
            return
        for func, robust in callbacks:
            try:
                func()
            except Exception:
                if not robust:
                    raise

    def on_commit(self, func: Callable[[], None], using: object = None, robust: bool = False) -> None:
        if self._blocks:
            self._blocks[-1].append((func, robust))
        else:
            func()


def install() -> None:
    """Registers `django`, `django.apps`, `django.conf` and `django.db` stand-in modules."""
    django = types.ModuleType("django")
    django.VERSION = (0, 0, 0, "stand-in", 0)  # type: ignore[attr-defined]
    conf = types.ModuleType("django.conf")
    conf.settings = types.SimpleNamespace(configured=True)  # type: ignore[attr-defined]
    apps = types.ModuleType("django.apps")
    apps.AppConfig = type("AppConfig", (), {"name": ""})  # type: ignore[attr-defined]
    db = types.ModuleType("django.db")
    db.transaction = StandInTransaction()  # type: ignore[attr-defined]
    django.conf = conf  # type: ignore[attr-defined]
    django.db = db  # type: ignore[attr-defined]
    django.apps = apps  # type: ignore[attr-defined]
    sys.modules.update({"django": django, "django.conf": conf, "django.db": db, "django.apps": apps})
