"""Offline login's server half: a key that lets the phone reopen its person's session."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from app.auth.models import OfflineGrant, User
from app.auth.service import start_session
from app.common.models import utcnow
from app.errors import Unauthorized
from app.extensions import db


class GrantRefused(Unauthorized):
    """The key is unknown, expired, or its person's password or access changed (401)."""

    code = "offline_grant_refused"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_grant(user: User) -> str | None:
    """Give the phone a key for a later offline login; none when offline login is off."""
    hours = current_app.config["OFFLINE_LOGIN_HOURS"]
    if hours <= 0:
        return None
    now = utcnow()
    # Expired keys of this person go at each new one, so the table stays small.
    db.session.execute(
        delete(OfflineGrant).where(OfflineGrant.user_id == user.id, OfflineGrant.expires_at <= now)
    )
    raw = secrets.token_urlsafe(32)
    db.session.add(
        OfflineGrant(
            user_id=user.id,
            key_hash=_hash(raw),
            session_version=user.session_version,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    db.session.flush()
    return raw


def resume(raw: str) -> User:
    """Open a session for the key's person, if the key and the person are still good."""
    grant = db.session.scalar(select(OfflineGrant).where(OfflineGrant.key_hash == _hash(raw)))
    now = utcnow()
    if (
        grant is None
        or grant.expires_at <= now
        or not grant.user.active
        or grant.session_version != grant.user.session_version
    ):
        raise GrantRefused(
            "离线登录未通过服务器核对，请重新登录",
            "The server did not accept the offline login; log in again.",
        )
    grant.last_used_at = now
    grant.user.last_login_at = now
    start_session(grant.user)
    return grant.user
