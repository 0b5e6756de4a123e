"""Publishes a tournament the way docs/publishing.md recommends: the tournament_profile.hooks package
(clients/python), each hook called inside its own transaction.atomic() block, so it publishes from
transaction.on_commit.

Usage: publish_tournament.py EVENTS_JSON_FILE BUS
The file holds [{"detailType", "detail"}, ...], published from 8 threads; one more transaction rolls
back and must send nothing. Django's real transaction module is used when Django is installed
(SQLite in memory); otherwise a stub with the same on_commit contract: callbacks run after the
atomic block commits and are discarded when it raises.
Prints {"django": "real"|"stub", "failed": [...outbox entries...], "rolledBackSent": n} as JSON.
"""
import contextlib
import json
import os
import re
import sys
import threading
import types
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import local_boto3  # noqa: F401  (points boto3 at the local stack)

HERE = os.path.dirname(os.path.abspath(__file__))


def use_django():
    """Configures real Django when present; returns "real" or "stub"."""
    try:
        import django
        from django.conf import settings
    except ImportError:
        install_stub()
        return "stub"
    settings.configure(
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        USE_TZ=True,
    )
    django.setup()
    return "real"


def install_stub():
    local = threading.local()

    @contextlib.contextmanager
    def atomic():
        outer = getattr(local, "callbacks", None) is None
        if outer:
            local.callbacks = []
        try:
            yield
        except BaseException:
            if outer:
                local.callbacks = None
            raise
        if outer:
            callbacks, local.callbacks = local.callbacks, None
            for callback in callbacks:
                callback()

    def on_commit(callback):
        if getattr(local, "callbacks", None) is None:
            callback()  # outside a transaction Django runs it at once
        else:
            local.callbacks.append(callback)

    conf = types.ModuleType("django.conf")
    conf.settings = types.SimpleNamespace(configured=True)
    transaction = types.ModuleType("django.db.transaction")
    transaction.atomic = atomic
    transaction.on_commit = on_commit
    db = types.ModuleType("django.db")
    db.transaction = transaction
    django = types.ModuleType("django")
    django.db = db
    django.conf = conf
    sys.modules.update(
        {"django": django, "django.conf": conf, "django.db": db, "django.db.transaction": transaction}
    )


HOOKS = {
    "RegistrationStatusChanged": "on_registration_status_change",
    "PaymentStatusChanged": "on_payment_status_change",
    "CheckInToggled": "on_checkin_toggled",
    "MatchResultSubmitted": "on_match_result_submitted",
    "DisputeOpened": "on_dispute_opened",
    "DisputeResolved": "on_dispute_resolved",
    "MatchFinalized": "on_match_finalized",
    "TournamentCompleted": "on_tournament_completed",
}


def hook_arguments(detail):
    """The detail's fields as the hooks take them: snake case, occurred_at an aware datetime."""
    kwargs = {re.sub(r"([A-Z])", r"_\1", key).lower(): value for key, value in detail.items()}
    kwargs["occurred_at"] = datetime.fromisoformat(kwargs["occurred_at"].replace("Z", "+00:00"))
    return kwargs


def main():
    events_file, bus = sys.argv[1], sys.argv[2]
    mode = use_django()
    sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "clients", "python", "src"))
    import boto3
    from django.db import transaction
    from tournament_profile import hooks
    from tournament_profile.outbox import MemoryOutbox

    client = boto3.client("events")
    calls = []
    put_events = client.put_events
    client.put_events = lambda **kwargs: calls.append(kwargs) or put_events(**kwargs)
    outbox = MemoryOutbox()
    hooks.configure(client=client, event_bus_name=bus, outbox=outbox)

    def publish(item):
        with transaction.atomic():
            getattr(hooks, HOOKS[item["detailType"]])(**hook_arguments(item["detail"]))

    planned = json.load(open(events_file, encoding="utf-8"))
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(publish, planned))

    # A transaction that rolls back publishes nothing.
    before = len(calls)
    try:
        with transaction.atomic():
            publish(planned[0])
            raise RuntimeError("constraint failed")
    except RuntimeError:
        pass
    print(json.dumps({"django": mode, "failed": [str(e) for e in outbox.pending(1000)], "rolledBackSent": len(calls) - before}))


if __name__ == "__main__":
    main()
