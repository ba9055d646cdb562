"""Login throttling (登录限制): failed logins counted per username and per address, then a lock.

The counts live in the database, so every worker and node sees the same ones. A failure claims
its rows with an upsert that holds them until commit (PostgreSQL's row lock, SQLite's one write
lock), so concurrent failures all count. Unknown usernames are counted like known ones.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, request
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from app.auth.models import LoginThrottle, User
from app.common.models import utcnow
from app.errors import TooManyRequests
from app.extensions import db

USERNAME, ADDRESS = "username", "address"
KEY_LENGTH = 64
# Forgotten keys deleted by one failed login at most (see _prune).
PRUNE_BATCH = 100
UNKNOWN_USER = "未知用户名 (unknown username)"


class LoginLocked(TooManyRequests):
    """Logins for this username or from this address are locked for a while (429)."""

    code = "login_locked"


def client_address() -> str:
    """Return the caller's address: the connection's, or a trusted proxy's X-Forwarded-For."""
    return (request.remote_addr or "unknown")[:KEY_LENGTH]


def _keys(username: str, address: str) -> list[tuple[str, str]]:
    # Always username first, then address: every transaction locks rows in the same order.
    return [(USERNAME, username[:KEY_LENGTH]), (ADDRESS, address[:KEY_LENGTH])]


def _where(keys: list[tuple[str, str]]) -> Any:
    return or_(*(and_(LoginThrottle.kind == k, LoginThrottle.key == v) for k, v in keys))


def check(username: str, address: str, user: User | None) -> None:
    """Refuse a login, right password or not, while its username or address is locked."""
    now = utcnow()
    rows = db.session.scalars(select(LoginThrottle).where(_where(_keys(username, address))))
    ends = [r.locked_until for r in rows if r.locked_until is not None and r.locked_until > now]
    if ends:
        _audit("login_refused", user, address, locked_until=max(ends))
        raise locked(max(ends), now)


def record_failure(username: str, address: str, user: User | None) -> datetime | None:
    """Count a failed login against its username and address; return when a lock now ends."""
    now = utcnow()
    ends = []
    for kind, key in _keys(username, address):
        row = _claim(kind, key, now)
        if _count(row, now):
            _audit("login_locked", user, address, locked=kind, locked_until=row.locked_until)
        if row.locked_until is not None and row.locked_until > now:
            ends.append(row.locked_until)
    db.session.flush()
    _prune(now)
    _audit("login_failed", user, address)
    return max(ends, default=None)


def forget(username: str) -> None:
    """Clear a username's failures and lock history after a successful login."""
    db.session.execute(
        delete(LoginThrottle).where(_where([(USERNAME, username[:KEY_LENGTH])])),
        execution_options={"synchronize_session": False},
    )


def locked(until: datetime, now: datetime) -> LoginLocked:
    """Build the 429 that says how long the lock still lasts."""
    seconds = max(1, math.ceil((until - now).total_seconds()))
    minutes = math.ceil(seconds / 60)
    unit = "minute" if minutes == 1 else "minutes"
    return LoginLocked(
        f"登录失败次数过多，请 {minutes} 分钟后再试",
        f"Too many failed logins; try again in {minutes} {unit}.",
        retry_after=seconds,
    )


def _claim(kind: str, key: str, now: datetime) -> LoginThrottle:
    """Return the key's row, created if need be, locked until commit."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = LoginThrottle.__table__
    stmt = (
        insert(LoginThrottle)
        .values(kind=kind, key=key, failures=0, window_started_at=now, last_failure_at=now, locks=0)
        # Updating the row, even to itself, takes its lock: the next failure waits for commit.
        .on_conflict_do_update(index_elements=["kind", "key"], set_={"failures": table.c.failures})
        .returning(LoginThrottle)
    )
    return db.session.scalars(stmt, execution_options={"populate_existing": True}).one()


def _count(row: LoginThrottle, now: datetime) -> bool:
    """Add one failure to a claimed row; lock it at its limit and tell whether it did."""
    if row.locked_until is not None and row.locked_until > now:
        return False  # it raced the failure that set the lock: that lock is the answer
    cfg = current_app.config
    if now - row.last_failure_at >= timedelta(hours=cfg["LOGIN_MEMORY_HOURS"]):
        row.locks = 0
    if now - row.window_started_at >= timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"]):
        row.failures, row.window_started_at = 0, now
    row.failures += 1
    row.last_failure_at = now
    limit = cfg["LOGIN_USER_LIMIT"] if row.kind == USERNAME else cfg["LOGIN_ADDRESS_LIMIT"]
    if row.failures < limit:
        return False
    row.locks += 1
    minutes = cfg["LOGIN_LOCK_MINUTES"] * 2 ** min(row.locks - 1, 16)
    row.locked_until = now + timedelta(minutes=min(minutes, cfg["LOGIN_LOCK_MAX_MINUTES"]))
    row.failures, row.window_started_at = 0, now
    return True


def _prune(now: datetime) -> None:
    """Delete a batch of keys that are unlocked and had no failure for LOGIN_MEMORY_HOURS."""
    # Rows another transaction holds are skipped, so pruning never waits or deadlocks.
    cutoff = now - timedelta(hours=current_app.config["LOGIN_MEMORY_HOURS"])
    stale = db.session.execute(
        select(LoginThrottle.kind, LoginThrottle.key)
        .where(
            LoginThrottle.last_failure_at < cutoff,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
        )
        .limit(PRUNE_BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    if stale:
        db.session.execute(
            delete(LoginThrottle).where(_where([(k, v) for k, v in stale])),
            execution_options={"synchronize_session": False},
        )


def _audit(action: str, user: User | None, address: str, **values: Any) -> None:
    """Write a login event to the audit trail: the account (if it exists) and address only."""
    from app.audit import service as audit  # late: the audit reads the caller through auth

    audit.record(
        "user",
        user.id if user else None,
        action,
        {"address": [None, address], **{k: [None, v] for k, v in values.items()}},
        summary=user.username if user else UNKNOWN_USER,
        company_id=user.company_id if user else None,
    )
