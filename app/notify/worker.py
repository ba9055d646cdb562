"""The delivery worker (flask notify run): claim due outbox rows, send them, record each outcome.

The one place outside a route that commits; see deliver_due().
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select

from app.common.models import utcnow
from app.extensions import db
from app.notify.models import Notification
from app.notify.senders import Outgoing, SendError, send, short_error

# Wait after the 1st, 2nd, ... failed attempt; the last step repeats until NOTIFY_MAX_ATTEMPTS.
BACKOFF_SECONDS = (30, 120, 600, 3600, 3 * 3600)
STALE_LEASE = "上次发送未完成（工作进程中断） / the last attempt did not finish (worker stopped)"


@dataclass(frozen=True)
class Claim:
    """A row this worker owns until lease_until: what to send and what it knew of the row."""

    message: Outgoing
    attempts: int
    lease_until: datetime


def deliver_due(now: datetime | None = None, limit: int = 50) -> dict[str, int]:
    """Send the notifications due now and record each outcome; return counts by outcome.

    The one function outside a route that commits. A short transaction claims the rows
    (status "sending", lease_until); the sending happens with no transaction open; one short
    transaction per row records the outcome, and only while this worker still owns the row.
    Whatever transaction the caller left open is rolled back first. `now` is for tests.
    """
    frozen = now is not None
    now = now or utcnow()
    config = current_app.config
    db.session.rollback()
    claims, gave_up = claim_due(now, limit)
    counts = {"claimed": len(claims), "sent": 0, "retrying": 0, "failed": gave_up}
    counts |= {"lost": 0, "released": 0}
    started = time.monotonic()
    for index, claim in enumerate(claims):
        # Past half the lease, hand the rest back rather than risk another worker taking over.
        if index and time.monotonic() - started > config["NOTIFY_LEASE_SECONDS"] / 2:
            counts["released"] = _release(claims[index:])
            break
        error = attempt(claim.message, config)
        counts[_record(claim, error, now if frozen else utcnow())] += 1
    return counts


def claim_due(now: datetime, limit: int) -> tuple[list[Claim], int]:
    """Lease up to limit due rows in one committed transaction; return them and how many gave up.

    Due means pending with next_attempt_at reached, or sending with an expired lease (its
    worker stopped mid-send: that counts as an attempt, since the message may have gone out).
    """
    config = current_app.config
    lease_until = now + timedelta(seconds=config["NOTIFY_LEASE_SECONDS"])
    due = or_(
        and_(Notification.status == "pending", Notification.next_attempt_at <= now),
        and_(Notification.status == "sending", Notification.lease_until < now),
    )
    # PostgreSQL: SKIP LOCKED lets concurrent workers take disjoint rows. SQLite ignores it;
    # there every write transaction starts with BEGIN IMMEDIATE (app.common.db), so claimers
    # take turns and each sees the rows the previous one leased.
    rows = db.session.scalars(
        select(Notification)
        .where(due)
        .order_by(Notification.next_attempt_at, Notification.id)
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


def attempt(message: Outgoing, config: Mapping[str, Any]) -> str | None:
    """Send one message; return None on success, else a short error without secrets."""
    try:
        send(message, config)
    except SendError as exc:
        return str(exc)
    except Exception as exc:  # a bug in a sender must not leave the row leased
        current_app.logger.exception("notification %s: sender crashed", message.id)
        return short_error("发送出错 / sender error", exc, secrets=(message.address,))
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


def _release(claims: list[Claim]) -> int:
    """Hand claimed rows back untried, so that the next pass sends them without waiting."""
    released = 0
    for claim in claims:
        row = _owned(claim)
        if row is not None:
            row.status, row.lease_until = "pending", None
            released += 1
    db.session.commit()
    return released
