"""Runs a publish after the surrounding Django transaction commits, or at once when there is none.

Django's `transaction.on_commit` already runs the callback immediately outside an atomic block (in
autocommit mode) and drops it when the block rolls back. Without Django, or with Django installed
but not configured (a script, a worker of another framework), there is no transaction to wait for.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any, Callable, Optional


def django_transaction() -> Optional[Any]:
    """`django.db.transaction` when Django is importable and configured, else None."""
    try:
        from django.conf import settings

        if not settings.configured:
            return None
        from django.db import transaction
    except Exception:  # noqa: BLE001 - ImportError, or a broken settings module: no Django then
        return None
    return transaction


def accepts_robust(on_commit: Callable[..., Any]) -> bool:
    """Whether this Django's `on_commit` takes `robust=` (Django 4.2 and later)."""
    try:
        return "robust" in inspect.signature(on_commit).parameters
    except (TypeError, ValueError):
        return False


def after_commit(callback: Callable[[], None], log: logging.Logger) -> None:
    """Schedules `callback` after the current transaction's commit (never raises).

    `robust=True` (where available) keeps a failing callback registered by someone else from
    stopping this one; the callback itself never raises.
    """
    transaction = django_transaction()
    if transaction is None:
        callback()
        return
    try:
        if accepts_robust(transaction.on_commit):
            transaction.on_commit(callback, robust=True)
        else:
            transaction.on_commit(callback)
    except Exception as error:  # noqa: BLE001
        # on_commit refuses in manual transaction management or when the database is not
        # configured: there is no commit to wait for that Django can see, so publish now.
        log.warning("tournament event: transaction.on_commit refused (%s); publishing at once", error)
        callback()
