"""Publishes a tournament with the Python code docs/publishing.md recommends, inside on_commit.

Usage: publish_tournament.py EVENTS_JSON_FILE BUS
The file holds [{"detailType", "detail"}, ...]. The code block under "Python: boto3 inside Django's
transaction.on_commit" in docs/publishing.md is executed as written (its put_events and
approve_registration functions). Each event is published from its own committed transaction, from 8
threads; one more transaction rolls back and must send nothing. Django's real transaction module is
used when Django is installed (SQLite in memory); otherwise a stub with the same on_commit contract:
callbacks run after the atomic block commits and are discarded when it raises.
Prints {"django": "real"|"stub", "failed": [...], "rolledBackSent": n, "approved": {...}} as JSON.
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
DOCS = os.path.join(HERE, "..", "..", "..", "docs", "publishing.md")


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

    transaction = types.ModuleType("django.db.transaction")
    transaction.atomic = atomic
    transaction.on_commit = on_commit
    db = types.ModuleType("django.db")
    db.transaction = transaction
    django = types.ModuleType("django")
    django.db = db
    sys.modules.update({"django": django, "django.db": db, "django.db.transaction": transaction})


def documented_code():
    text = open(DOCS, encoding="utf-8").read()
    section = text[text.index("## Python: boto3 inside Django"):]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    namespace = {"__name__": "documented"}
    exec(compile(match.group(1), "docs/publishing.md", "exec"), namespace)
    return namespace


class Registration:
    """The fields approve_registration reads from a Django model instance."""

    def __init__(self, detail):
        self.id = detail["registrationId"]
        self.tournament_id = detail["tournamentId"]
        self.user_id = detail["userIds"][0]
        self.updated_at = datetime.fromisoformat(detail["occurredAt"].replace("Z", "+00:00")).astimezone(timezone.utc)
        self.status = "pending"

    def save(self):
        pass


def main():
    events_file, bus = sys.argv[1], sys.argv[2]
    mode = use_django()
    from django.db import transaction

    code = documented_code()
    planned = json.load(open(events_file, encoding="utf-8"))
    failed = []
    lock = threading.Lock()

    def publish(item):
        entry = {"EventBusName": bus, "Source": "tournaments", "DetailType": item["detailType"], "Detail": json.dumps(item["detail"])}

        def send():
            result = code["put_events"]([entry])
            with lock:
                failed.extend([code for _, code in result])

        with transaction.atomic():
            transaction.on_commit(send)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(publish, planned))

    # A transaction that rolls back publishes nothing.
    sent = []
    original = code["put_events"]
    code["put_events"] = lambda entries, **kw: sent.append(entries) or original(entries, **kw)
    try:
        with transaction.atomic():
            transaction.on_commit(lambda: code["put_events"]([{"Source": "tournaments"}]))
            raise RuntimeError("constraint failed")
    except RuntimeError:
        pass
    code["put_events"] = original

    # The documented approve_registration itself, for one approved registration.
    approved = next((p["detail"] for p in planned if p["detailType"] == "RegistrationStatusChanged" and p["detail"].get("status") == "approved"), None)
    if approved is not None:
        code["approve_registration"](Registration(approved))
    print(json.dumps({"django": mode, "failed": failed, "rolledBackSent": len(sent), "approved": approved}))


if __name__ == "__main__":
    main()
