"""The delivery worker (flask notify run): claim due outbox rows, send them, record each outcome.

The one place outside a route that commits; see deliver_due().
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from queue import Queue
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from app.common.models import utcnow
from app.extensions import db
from app.notify.models import Notification
from app.notify.senders import Outgoing, SendError, send, short_error

# Wait after the 1st, 2nd, ... failed attempt; the last step repeats until NOTIFY_MAX_ATTEMPTS.
BACKOFF_SECONDS = (30, 120, 600, 3600, 3 * 3600)
STALE_LEASE = "上次发送未完成（工作进程中断） / the last attempt did not finish (worker stopped)"
log = logging.getLogger(__name__)  # a child of the app's logger; usable from sending threads


@dataclass(frozen=True)
class Claim:
    """A row this worker owns until lease_until: what to send and what it knew of the row."""

    message: Outgoing
    attempts: int
    lease_until: datetime

    @property
    def receiver(self) -> tuple[str, str]:
        """Return who receives it: messages to one address go one after another."""
        return self.message.kind, self.message.address


@dataclass(frozen=True)
class Outcome:
    """What a sending thread did with one claim: sent, failed, or left it untried (and why)."""

    claim: Claim
    error: SendError | None = None
    untried: str | None = None  # "released" (out of lease time) or "deferred" (receiver down)


def deliver_due(now: datetime | None = None, limit: int = 50) -> dict[str, int]:
    """Send the notifications due now and record each outcome; return counts by outcome.

    The one function outside a route that commits. A short transaction claims the rows
    (status "sending", lease_until), at most NOTIFY_PER_RECEIVER per receiver. Up to
    NOTIFY_SENDERS threads then send, one receiver per thread and its messages in order, with
    no transaction open and no database use, so a receiver that hangs holds up only its own
    queue. This thread records each outcome as it arrives, in one short transaction per row
    and only while the lease holds. When a receiver is down (no connection, a timeout) the
    rest of its queue waits out the failed message's backoff, untried: a circuit breaker
    whose pause grows with each failed probe. Whatever transaction the caller left open is
    rolled back first. `now` is for tests.
    """
    frozen = now is not None
    now = now or utcnow()
    config = dict(current_app.config)  # the sending threads have no app context
    db.session.rollback()
    claims, gave_up = claim_due(now, limit)
    counts = {"claimed": len(claims), "sent": 0, "retrying": 0, "failed": gave_up}
    counts |= {"lost": 0, "released": 0, "deferred": 0}
    if not claims:
        return counts
    queues: dict[tuple[str, str], list[Claim]] = {}
    for claim in claims:
        queues.setdefault(claim.receiver, []).append(claim)
    outcomes: Queue[Outcome] = Queue()
    started = time.monotonic()
    paused: dict[tuple[str, str], datetime] = {}
    with ThreadPoolExecutor(
        max_workers=max(1, min(int(config["NOTIFY_SENDERS"]), len(queues))),
        thread_name_prefix="notify-send",
    ) as pool:
        for queue in queues.values():
            pool.submit(_send_queue, queue, config, started, outcomes)
        for _ in claims:
            outcome = outcomes.get()
            at = now if frozen else utcnow()
            counts[_settle(outcome, at, paused)] += 1
    return counts


def _send_queue(
    claims: list[Claim], config: Mapping[str, Any], started: float, outcomes: Queue[Outcome]
) -> None:
    """Send one receiver's claims in order and report an outcome for every one of them."""
    reported = 0
    untried = "released"
    try:
        for index, claim in enumerate(claims):
            # Past half the lease, hand the rest back rather than risk another worker taking over.
            if index and time.monotonic() - started > config["NOTIFY_LEASE_SECONDS"] / 2:
                break
            error = attempt(claim.message, config)
            outcomes.put(Outcome(claim, error))
            reported += 1
            if error is not None and error.unreachable:
                untried = "deferred"
                break
    finally:  # every claim gets an outcome, or deliver_due would wait for it forever
        for claim in claims[reported:]:
            outcomes.put(Outcome(claim, untried=untried))


def _settle(outcome: Outcome, now: datetime, paused: dict[tuple[str, str], datetime]) -> str:
    """Record one outcome (sending thread's report) and return the count it adds to."""
    claim, error = outcome.claim, outcome.error
    if outcome.untried is not None:
        until = paused.get(claim.receiver) if outcome.untried == "deferred" else None
        return outcome.untried if _release([claim], until) else "lost"
    if error is not None and error.unreachable:
        paused[claim.receiver] = until = now + backoff(claim.attempts + 1)
        _pause_receiver(claim, until)
    return _record(claim, None if error is None else str(error), now)


def _pause_receiver(claim: Claim, until: datetime) -> None:
    """Hold the pending messages of a receiver that is down until its failed message's retry."""
    kind, address = claim.receiver
    db.session.execute(
        update(Notification)
        .where(
            Notification.status == "pending",
            Notification.kind == kind,
            Notification.address == address,
            Notification.next_attempt_at < until,
        )
        .values(next_attempt_at=until)
    )


def claim_due(now: datetime, limit: int) -> tuple[list[Claim], int]:
    """Lease up to limit due rows in one committed transaction; return them and how many gave up.

    Due means pending with next_attempt_at reached, or sending with an expired lease (its
    worker stopped mid-send: that counts as an attempt, since the message may have gone out).
    Each receiver (kind and address) gets at most NOTIFY_PER_RECEIVER of the rows, its oldest,
    so that a long queue for one does not fill the batch.
    """
    config = current_app.config
    lease_until = now + timedelta(seconds=config["NOTIFY_LEASE_SECONDS"])
    due = or_(
        and_(Notification.status == "pending", Notification.next_attempt_at <= now),
        and_(Notification.status == "sending", Notification.lease_until < now),
    )
    order = (Notification.next_attempt_at, Notification.id)
    ranked = (
        select(
            Notification.id,
            func.row_number()
            .over(partition_by=(Notification.kind, Notification.address), order_by=order)
            .label("place"),
        )
        .where(due)
        .subquery()
    )
    first = select(ranked.c.id).where(ranked.c.place <= int(config["NOTIFY_PER_RECEIVER"]))
    # PostgreSQL: SKIP LOCKED lets concurrent workers take disjoint rows, and `due` is checked
    # again on the locked row, so one another worker claimed meanwhile is left out. SQLite
    # ignores it; there every write transaction starts with BEGIN IMMEDIATE (app.common.db),
    # so claimers take turns and each sees the rows the previous one leased.
    rows = db.session.scalars(
        select(Notification)
        .where(due, Notification.id.in_(first))
        .order_by(*order)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).all()
    claims: list[Claim] = []
    gave_up = 0
    for row in rows:
        if row.status == "sending":
            row.attempts += 1
            row.last_error = STALE_LEASE
            if row.attempts >= config["NOTIFY_MAX_ATTEMPTS"]:
                row.status, row.lease_until = "failed", None
                gave_up += 1
                continue
        row.status, row.lease_until = "sending", lease_until
        message = Outgoing(row.id, row.kind, row.address, row.subject, row.body, row.payload)
        claims.append(Claim(message, row.attempts, lease_until))
    db.session.commit()
    return claims, gave_up


def attempt(message: Outgoing, config: Mapping[str, Any]) -> SendError | None:
    """Send one message; return None on success, else the error (its text holds no secret)."""
    try:
        send(message, config)
    except SendError as exc:
        return exc
    except Exception as exc:  # a bug in a sender must not leave the row leased
        log.exception("notification %s: sender crashed", message.id)
        return SendError(short_error("发送出错 / sender error", exc, secrets=(message.address,)))
    return None


def backoff(attempts: int) -> timedelta:
    """Return the wait after this many failed attempts: 30 s, 2 min, 10 min, 1 h, then 3 h."""
    return timedelta(seconds=BACKOFF_SECONDS[min(max(attempts, 1), len(BACKOFF_SECONDS)) - 1])


def _owned(claim: Claim) -> Notification | None:
    """Lock and return the claimed row if this worker's lease on it still holds."""
    row = db.session.get(
        Notification, claim.message.id, with_for_update=True, populate_existing=True
    )
    if row is None or row.status != "sending" or row.lease_until != claim.lease_until:
        return None
    return row


def _record(claim: Claim, error: str | None, now: datetime) -> str:
    """Write one send's outcome in its own short transaction; return the outcome's name."""
    row = _owned(claim)
    if row is None:  # the lease ran out and another worker took the row over
        db.session.rollback()
        return "lost"
    row.lease_until = None
    if error is None:
        row.status, row.sent_at = "sent", now
    else:
        row.attempts = claim.attempts + 1
        row.last_error = error
        row.next_attempt_at = now + backoff(row.attempts)
        given_up = row.attempts >= current_app.config["NOTIFY_MAX_ATTEMPTS"]
        row.status = "failed" if given_up else "pending"
    db.session.commit()
    return {"sent": "sent", "pending": "retrying", "failed": "failed"}[row.status]


def _release(claims: list[Claim], until: datetime | None = None) -> int:
    """Hand claimed rows back untried, due again at once or at `until`; return how many."""
    released = 0
    for claim in claims:
        row = _owned(claim)
        if row is not None:
            row.status, row.lease_until = "pending", None
            if until is not None:
                row.next_attempt_at = max(row.next_attempt_at, until)
            released += 1
    db.session.commit()
    return released
