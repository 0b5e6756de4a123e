"""A whole tournament played through the hooks against the local stack (`bin/start.ts` on free
ports, DynamoDB Local included), checked through the operator CLI `tpi`.

Every hook is called at least once, one call happens in a rolled-back transaction, and the whole
tournament is sent twice (the second time with the instants in another zone and ids spelled as
strings): the statistics must count each action once, and no event may be a conflict.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import boto3
import pytest
from conftest import REPO_ROOT
from django.db import transaction
from tournament_profile import hooks
from tournament_profile.outbox import SqliteOutbox

# Generous: the machine is shared and DynamoDB Local is a JVM. Conditions are polled, never timed.
START_DEADLINE_S = 240
SETTLE_DEADLINE_S = 240
ALICE, BOB, CAROL, DAVE, ERIN = 1001, 1002, 1003, 1004, 1005
BASE = datetime(2026, 6, 1, 9, 0, tzinfo=timezone.utc)


class Stack:
    """The local stack as a child process; its one-line outcomes are collected as they come."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            ["node", "--import", "tsx", "bin/start.ts", "--port", "0", "--dynamodb-port", "0", "--api-port", "0"],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED": "true"},
        )
        self.endpoint = ""
        self.lines: List[str] = []
        self.errors: List[str] = []
        self._ready: "queue.Queue[str]" = queue.Queue()
        threading.Thread(target=self._read, args=(self.process.stdout, self.lines, True), daemon=True).start()
        threading.Thread(target=self._read, args=(self.process.stderr, self.errors, False), daemon=True).start()

    def _read(self, stream: Any, into: List[str], announce: bool) -> None:
        for line in stream:
            into.append(line.rstrip("\n"))
            if announce and line.startswith("ready: "):
                self._ready.put(line)
        if announce:
            self._ready.put("")  # the process ended

    def wait_ready(self) -> str:
        try:
            line = self._ready.get(timeout=START_DEADLINE_S)
        except queue.Empty:
            line = ""
        match = re.match(r"ready: endpoint (\S+) dynamodb (\S+)", line)
        if not match:
            raise AssertionError("the local stack did not start:\n" + "\n".join(self.lines + self.errors))
        return match.group(1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # start.ts stops DynamoDB Local on SIGTERM
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    started = Stack()
    try:
        started.endpoint = started.wait_ready()
        yield started
    finally:
        started.stop()


def tpi(url: str, *args: str) -> Any:
    done = subprocess.run(["node", "bin/tpi.js", *args, "--json", "--endpoint", url], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"tpi {' '.join(args)} failed: {done.stderr}"
    return json.loads(done.stdout)


def at(minutes: int, zone: timezone) -> datetime:
    return (BASE + timedelta(minutes=minutes)).astimezone(zone)


def play(tournament: str, zone: timezone, ident: Callable[[int], Any]) -> int:
    """Plays the tournament through the hooks; returns how many events should have been published."""
    players = [ALICE, BOB, CAROL, DAVE]
    ids = lambda users: [ident(u) for u in users] + [ident(users[0])]  # noqa: E731 - a repeat must not matter
    sent = 0
    for n, user in enumerate(players):
        with transaction.atomic():
            hooks.on_registration_status_change(registration_id=f"{tournament}-r{n}", tournament_id=tournament,
                                                status="approved", user_ids=[ident(user)], occurred_at=at(n, zone))
        hooks.on_payment_status_change(payment_id=f"{tournament}-p{n}", registration_id=f"{tournament}-r{n}",
                                       tournament_id=tournament, status="verified", user_ids=[ident(user)],
                                       occurred_at=at(10 + n, zone))
        hooks.on_checkin_toggled(registration_id=f"{tournament}-r{n}", tournament_id=tournament, checked_in=True,
                                 user_ids=[ident(user)], occurred_at=at(20 + n, zone), revision=1)
        sent += 3

    class RolledBack(Exception):
        pass

    try:  # Erin's approval is rolled back: nothing may reach the profile
        with transaction.atomic():
            hooks.on_registration_status_change(registration_id=f"{tournament}-r9", tournament_id=tournament,
                                                status="approved", user_ids=[ident(ERIN)], occurred_at=at(5, zone))
            raise RolledBack
    except RolledBack:
        pass

    # Alice leaves and comes back: two more check-in actions, told apart by their revision.
    hooks.on_checkin_toggled(registration_id=f"{tournament}-r0", tournament_id=tournament, checked_in=False,
                             user_ids=[ident(ALICE)], occurred_at=at(30, zone), revision=2)
    hooks.on_checkin_toggled(registration_id=f"{tournament}-r0", tournament_id=tournament, checked_in=True,
                             user_ids=[ident(ALICE)], occurred_at=at(31, zone), revision=3)
    sent += 2

    m1, m2, m3, m4 = (f"{tournament}-m{n}" for n in range(1, 5))
    ab, cd, bc, bd = ids([ALICE, BOB]), ids([CAROL, DAVE]), ids([BOB, CAROL]), ids([BOB, DAVE])
    for submitter in (ALICE, BOB):
        hooks.on_match_result_submitted(match_id=m1, tournament_id=tournament, submitted_by_user_id=ident(submitter),
                                        participant_user_ids=ab, occurred_at=at(40, zone))
    with transaction.atomic():
        hooks.on_match_finalized(match_id=m1, tournament_id=tournament, resolution="completed",
                                 participant_user_ids=ab, winner_user_ids=[ident(ALICE)], occurred_at=at(41, zone))
    hooks.on_dispute_opened(dispute_id=f"{tournament}-d1", match_id=m1, tournament_id=tournament,
                            opened_by_user_id=ident(BOB), participant_user_ids=ab, occurred_at=at(42, zone))
    hooks.on_dispute_resolved(dispute_id=f"{tournament}-d1", match_id=m1, tournament_id=tournament,
                              resolution="upheld", participant_user_ids=ab, occurred_at=at(50, zone))
    hooks.on_match_finalized(match_id=m1, tournament_id=tournament, resolution="dispute_resolved",
                             participant_user_ids=ab, winner_user_ids=[ident(BOB)], occurred_at=at(51, zone))
    hooks.on_match_finalized(match_id=m2, tournament_id=tournament, resolution="completed", participant_user_ids=cd,
                             winner_user_ids=[], is_draw=True, occurred_at=at(60, zone))
    hooks.on_match_finalized(match_id=m3, tournament_id=tournament, resolution="forfeit", participant_user_ids=bc,
                             winner_user_ids=[ident(BOB)], occurred_at=at(70, zone))
    hooks.on_match_result_submitted(match_id=m4, tournament_id=tournament, submitted_by_user_id=ident(DAVE),
                                    participant_user_ids=bd, occurred_at=at(80, zone))
    hooks.on_match_finalized(match_id=m4, tournament_id=tournament, resolution="completed", participant_user_ids=bd,
                             winner_user_ids=[ident(DAVE)], occurred_at=at(81, zone))
    hooks.on_tournament_completed(tournament_id=tournament, participant_user_ids=ids(players),
                                  winner_user_ids=[ident(DAVE)], occurred_at=at(90, zone))
    return sent + 11


FINISHED = (BASE + timedelta(minutes=90)).isoformat()
EXPECTED: Dict[int, Dict[str, Any]] = {
    # Alice: lost match 1 once the dispute reversed it.
    ALICE: dict(matchesPlayed=1, matchesWon=0, matchesLost=1, matchesDrawn=0, tournamentsPlayed=1,
                tournamentsWon=0, activityCount=12, lastActivityAt=FINISHED),
    BOB: dict(matchesPlayed=3, matchesWon=2, matchesLost=1, matchesDrawn=0, tournamentsPlayed=1,
              tournamentsWon=0, activityCount=13, lastActivityAt=FINISHED),
    CAROL: dict(matchesPlayed=2, matchesWon=0, matchesLost=1, matchesDrawn=1, tournamentsPlayed=1,
                tournamentsWon=0, activityCount=6, lastActivityAt=FINISHED),
    DAVE: dict(matchesPlayed=2, matchesWon=1, matchesLost=0, matchesDrawn=1, tournamentsPlayed=1,
               tournamentsWon=1, activityCount=7, lastActivityAt=FINISHED),
    ERIN: dict(matchesPlayed=0, matchesWon=0, matchesLost=0, matchesDrawn=0, tournamentsPlayed=0,
               tournamentsWon=0, activityCount=0, lastActivityAt=None),
}


def observed(url: str, user: int) -> Dict[str, Any]:
    stats = tpi(url, "stats", str(user))
    seen = {key: stats.get(key) for key in EXPECTED[user]}
    if seen["lastActivityAt"] is not None:  # compare instants, whatever spelling the store keeps
        seen["lastActivityAt"] = datetime.fromisoformat(seen["lastActivityAt"].replace("Z", "+00:00")).isoformat()
    return seen


def wait_for(condition: Callable[[], bool], describe: Callable[[], str]) -> None:
    deadline = time.monotonic() + SETTLE_DEADLINE_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(describe())
        time.sleep(0.5)


def test_a_tournament_played_twice_through_the_hooks_is_counted_once(stack: Stack, tmp_path: Path) -> None:
    # Prepare
    endpoint = stack.endpoint
    client = boto3.client("events", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="local", aws_secret_access_key="local")
    outbox = SqliteOutbox(str(tmp_path / "outbox.sqlite3"))
    hooks.configure(client=client, outbox=outbox)
    tournament = f"py-e2e-{int(time.time())}"
    # Act: the whole tournament, then all of it again as a double hook or an outbox resend would
    sent = play(tournament, timezone.utc, lambda user: user)
    sent += play(tournament, timezone(timedelta(hours=-5)), str)
    flushed = hooks.flush()
    # Assess
    outcomes = lambda: [line for line in stack.lines if tournament in line]  # noqa: E731
    wait_for(lambda: len(outcomes()) >= sent,
             lambda: f"{len(outcomes())} of {sent} events delivered:\n" + "\n".join(stack.lines[-40:]))
    for user, expected in EXPECTED.items():  # once all events are delivered, each user's numbers only converge
        wait_for(lambda: observed(endpoint, user) == expected,  # noqa: B023 - called within this iteration
                 lambda: f"statistics of user {user} never matched {expected}: {observed(endpoint, user)}")  # noqa: B023
    words = [line.split()[0] for line in outcomes()]
    assert (words.count("recorded"), words.count("duplicate")) == (sent // 2, sent // 2), outcomes()
    assert (flushed.sent, flushed.failed) == (0, 0) and outbox.pending(10) == []
