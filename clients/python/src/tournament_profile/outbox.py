"""Where events that could not be published wait to be sent again by `flush()`.

Resending is always safe: an event's idempotency key comes from the action, not the delivery, so an
event sent twice (by two flushes at once, or by a flush after a send that did get through) is
recorded once.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Protocol, Sequence, runtime_checkable


@dataclass(frozen=True)
class OutboxItem:
    """One PutEvents entry waiting in an outbox."""

    id: int
    entry: Dict[str, Any]
    attempts: int
    last_error: Optional[str]


@runtime_checkable
class Outbox(Protocol):
    """What the hooks need from an outbox. Implement it on your own table or queue if you like."""

    def add(self, entries: Sequence[Mapping[str, Any]], error: str) -> None:
        """Keeps entries that failed with `error` (their first failure counts as one attempt)."""

    def pending(self, limit: int, after_id: int = 0) -> List[OutboxItem]:
        """Up to `limit` waiting entries with an id greater than `after_id`, oldest first."""

    def remove(self, ids: Sequence[int]) -> None:
        """Forgets entries that were sent."""

    def record_failure(self, ids: Sequence[int], error: str) -> None:
        """Counts one more failed attempt for each entry and keeps the error for operators."""


class MemoryOutbox:
    """An outbox in this process's memory: lost on restart. The default when none is configured."""

    def __init__(self) -> None:
        self._items: Dict[int, OutboxItem] = {}
        self._next = 1
        self._lock = threading.Lock()

    def add(self, entries: Sequence[Mapping[str, Any]], error: str) -> None:
        with self._lock:
            for entry in entries:
                self._items[self._next] = OutboxItem(self._next, dict(entry), 1, error)
                self._next += 1

    def pending(self, limit: int, after_id: int = 0) -> List[OutboxItem]:
        with self._lock:
            return [self._items[i] for i in sorted(self._items) if i > after_id][:limit]

    def remove(self, ids: Sequence[int]) -> None:
        with self._lock:
            for i in ids:
                self._items.pop(i, None)

    def record_failure(self, ids: Sequence[int], error: str) -> None:
        with self._lock:
            for i in ids:
                item = self._items.get(i)
                if item:
                    self._items[i] = OutboxItem(i, item.entry, item.attempts + 1, error)


class SqliteOutbox:
    """An outbox in a SQLite file (standard library only); survives restarts.

    Each call opens its own connection, so one instance can be shared by threads and several
    processes can use the same file (SQLite serialises their writes).
    """

    def __init__(self, path: str, *, timeout: float = 30.0) -> None:
        self.path = path
        self.timeout = timeout
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS tournament_event_outbox ("
                " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                " entry TEXT NOT NULL,"
                " attempts INTEGER NOT NULL,"
                " last_error TEXT,"
                " created_at TEXT NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=self.timeout)

    def _run(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        db = self._connect()
        try:
            with db:
                db.executemany(sql, rows)
        finally:
            db.close()

    def add(self, entries: Sequence[Mapping[str, Any]], error: str) -> None:
        now = datetime.now(timezone.utc).isoformat()
        self._run(
            "INSERT INTO tournament_event_outbox (entry, attempts, last_error, created_at) VALUES (?, 1, ?, ?)",
            [(json.dumps(dict(entry), sort_keys=True), error, now) for entry in entries],
        )

    def pending(self, limit: int, after_id: int = 0) -> List[OutboxItem]:
        db = self._connect()
        try:
            rows = db.execute(
                "SELECT id, entry, attempts, last_error FROM tournament_event_outbox"
                " WHERE id > ? ORDER BY id LIMIT ?",
                (after_id, limit),
            ).fetchall()
        finally:
            db.close()
        return [OutboxItem(row[0], json.loads(row[1]), row[2], row[3]) for row in rows]

    def remove(self, ids: Sequence[int]) -> None:
        self._run("DELETE FROM tournament_event_outbox WHERE id = ?", [(i,) for i in ids])

    def record_failure(self, ids: Sequence[int], error: str) -> None:
        self._run(
            "UPDATE tournament_event_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
            [(error, i) for i in ids],
        )
