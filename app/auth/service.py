"""Who the caller is and what they may do: passwords, sessions, tokens, roles, scoping."""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from flask import current_app, g, request, session
from sqlalchemy import Select, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth import throttle
from app.auth.models import ROLES, ApiToken, AuthSession, User
from app.common.models import utcnow
from app.errors import Forbidden, Invalid, NotFound, Unauthorized
from app.extensions import db
from app.places.models import Department, Property

F = TypeVar("F", bound=Callable[..., Any])

# Who may change what; everybody granted a property may read its places and checklists.
WRITE_ROLES: dict[str, frozenset[str]] = {
    "property": frozenset({"admin"}),
    "zone": frozenset({"admin"}),
    "checkpoint": frozenset({"admin"}),
    "unit": frozenset({"admin", "supervisor"}),
    "department": frozenset({"admin"}),
    "routing_rule": frozenset({"admin", "supervisor"}),
    "checklist": frozenset({"admin", "supervisor"}),
    "user": frozenset({"admin"}),
}
READ_ROLES: dict[str, frozenset[str]] = {
    "user": frozenset({"admin", "supervisor", "frontdesk"}),
}
MIN_PASSWORD_LENGTH = 8
# A session's last-seen time (and so its expiry) and a token's last use are written at most
# this often, not on every request.
TOUCH_EVERY = timedelta(seconds=60)
# Verified against when the username is unknown so both paths cost the same.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_password(password: str) -> str:
    """Hash a password with werkzeug's current default (scrypt) unless configured otherwise."""
    method = current_app.config.get("PASSWORD_HASH_METHOD")
    return generate_password_hash(password, method) if method else generate_password_hash(password)


def check_password_strength(password: str, field: str = "password") -> None:
    """Refuse passwords too short to be safe."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            f"密码至少 {MIN_PASSWORD_LENGTH} 位",
            f"The password needs at least {MIN_PASSWORD_LENGTH} characters.",
            field=field,
        )


def normal_username(raw: str) -> str:
    """Return a typed username as login looks it up (and throttles it): without outer spaces."""
    return raw.strip()


def authenticate(username: str, password: str) -> User:
    """Return the active user with these credentials, else raise Unauthorized or LoginLocked."""
    # A refused attempt leaves its count and audit entries in the session for the caller to commit.
    name, address = normal_username(username), throttle.client_address()
    user = db.session.scalar(select(User).where(User.username == name))
    throttle.check(name, address, user)
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if not user or not ok or not user.active:
        until = throttle.record_failure(name, address, user)
        if until is not None:
            raise throttle.locked(until, utcnow())
        raise Unauthorized("用户名或密码错误", "Wrong username or password.")
    throttle.forget(name)
    user.last_login_at = utcnow()
    return user


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def start_session(user: User) -> AuthSession:
    """Open a server-side session; the signed cookie carries only its random id."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    record = AuthSession(
        user=user,
        session_hash=_hash(raw),
        created_at=now,
        last_seen_at=now,
        expires_at=now + current_app.permanent_session_lifetime,
        user_agent=(request.user_agent.string or "")[:255] or None,
    )
    db.session.add(record)
    db.session.flush()
    session.clear()
    session.permanent = True
    session["sid"] = raw
    g.user = user  # the rest of the request (and its response) is this user's
    return record


def end_session() -> None:
    """End the caller's session record and forget the cookie."""
    record = g.get("auth_session")
    if record is not None and record.revoked_at is None:
        record.revoked_at = utcnow()
    session.clear()


def end_user_sessions(user: User) -> None:
    """End every open session of a user (password change, reset, deactivation)."""
    now = utcnow()
    open_sessions = select(AuthSession).where(
        AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None)
    )
    for record in db.session.scalars(open_sessions):
        record.revoked_at = now


def _session_user() -> User | None:
    raw = session.get("sid")
    if not isinstance(raw, str):
        if session:
            session.clear()  # a cookie from before server-side sessions, or tampered with
        return None
    record = db.session.scalar(select(AuthSession).where(AuthSession.session_hash == _hash(raw)))
    now = utcnow()
    if (
        record is None
        or record.revoked_at is not None
        or record.expires_at <= now
        or not record.user.active
    ):
        session.clear()
        return None
    if now - record.last_seen_at >= TOUCH_EVERY:
        # The cookie is re-sent on every request; the record's expiry follows it.
        record.last_seen_at = now
        record.expires_at = now + current_app.permanent_session_lifetime
    g.auth_session = record
    return record.user


def create_token(user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Issue a bearer token; the raw value is returned once and never stored."""
    cap = current_app.config["TOKEN_LIFETIME_DAYS"]
    if days is not None and days > cap:
        raise Invalid(
            f"令牌有效期最长 {cap} 天", f"A token may live at most {cap} days.", field="days"
        )
    raw = "pt_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        token_hash=_hash(raw),
        expires_at=utcnow() + timedelta(days=days or cap),
    )
    db.session.add(token)
    db.session.flush()
    return token, raw


def own_tokens() -> Select:
    """Select the caller's tokens that are not revoked, newest first."""
    return (
        select(ApiToken)
        .where(ApiToken.user_id == current_user().id, ApiToken.revoked.is_(False))
        .order_by(ApiToken.id.desc())
    )


def revoke_own_token(token_id: int) -> ApiToken:
    """Revoke one of the caller's tokens; anybody else's is not found."""
    token = db.session.scalar(own_tokens().where(ApiToken.id == token_id))
    if token is None:
        raise NotFound("找不到该令牌", "No such token.")
    token.revoked = True
    return token


def _user_from_token(raw: str) -> User:
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(raw)))
    now = utcnow()
    if not token or token.revoked or (token.expires_at and token.expires_at < now):
        raise Unauthorized("令牌无效或已过期", "The token is invalid or expired.")
    if not token.user.active:
        raise Unauthorized("账号已停用", "This account is deactivated.")
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
    return token.user


def load_current_user() -> None:
    """Set g.user from a bearer token or the session cookie (None when anonymous)."""
    g.user = None
    g.auth_session = None
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        g.user = _user_from_token(header[7:].strip())
        return
    g.user = _session_user()


def current_user() -> User:
    """Return the logged-in user or raise Unauthorized."""
    user = g.get("user")
    if user is None:
        raise Unauthorized()
    return user


def login_required(fn: F) -> F:
    """Let only logged-in users through."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        current_user()
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def roles_required(roles: Iterable[str]) -> Callable[[F], F]:
    """Let only users with one of these roles through."""
    allowed = frozenset(roles)

    def decorator(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            require_role(allowed)
            return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def require_role(allowed: Iterable[str]) -> User:
    """Return the caller if their role is allowed, else raise Forbidden."""
    user = current_user()
    if user.role not in allowed:
        raise Forbidden()
    return user


def can_write(resource: str) -> Callable[[F], F]:
    """Guard a route that changes the given resource."""
    return roles_required(WRITE_ROLES[resource])


def can_read(resource: str) -> Callable[[F], F]:
    """Guard a route that reads the given resource."""
    return roles_required(READ_ROLES.get(resource, ROLES.keys()))


# --- property scoping: every list and get goes through these ---


def granted_property_ids() -> list[int]:
    """Return the ids of the properties the caller may see."""
    return current_user().property_ids


def scoped(model: Any) -> Select:
    """Select rows of a property-owned model that the caller may see."""
    return select(model).where(model.property_id.in_(granted_property_ids()))


def get_scoped(model: Any, obj_id: int) -> Any:
    """Return one row of a property-owned model in the caller's scope, else raise NotFound."""
    obj = db.session.get(model, obj_id)
    if obj is None or obj.property_id not in granted_property_ids():
        raise NotFound()
    return obj


def get_property(property_id: int, field: str = "property_id") -> Property:
    """Return a property the caller is granted, else raise NotFound naming the field."""
    prop = db.session.get(Property, property_id)
    if prop is None or prop.id not in granted_property_ids():
        raise NotFound("找不到该项目", "No such property.", field=field)
    return prop


def get_scoped_ref(model: Any, obj_id: int, field: str) -> Any:
    """Return a referenced row in scope, else raise a 404 naming the field."""
    obj = db.session.get(model, obj_id)
    if obj is None or obj.property_id not in granted_property_ids():
        raise NotFound("引用的对象不存在", "The referenced object does not exist.", field=field)
    return obj


def department_in(department_id: int, property_ids: Iterable[int]) -> Department:
    """Return a department of one of the given properties, else raise 422."""
    dept = db.session.get(Department, department_id)
    if dept is None or dept.property_id not in set(property_ids):
        raise Invalid(
            "部门不属于该用户的项目",
            "The department is not in one of the user's properties.",
            field="department_id",
        )
    return dept


# --- user management lives in app.auth.users; these names are still reachable from here ---

if TYPE_CHECKING:
    from app.auth.users import USER_FIELDS as USER_FIELDS
    from app.auth.users import create_user as create_user
    from app.auth.users import deactivate_user as deactivate_user
    from app.auth.users import get_user as get_user
    from app.auth.users import reactivate_user as reactivate_user
    from app.auth.users import reset_password as reset_password
    from app.auth.users import update_user as update_user
    from app.auth.users import visible_users as visible_users
else:
    _MOVED_TO_USERS = frozenset(
        {
            "USER_FIELDS",
            "visible_users",
            "get_user",
            "create_user",
            "update_user",
            "deactivate_user",
            "reactivate_user",
            "reset_password",
        }
    )

    def __getattr__(name: str) -> Any:
        """Resolve a user-administration name that moved to app.auth.users."""
        if name in _MOVED_TO_USERS:
            from app.auth import users

            return getattr(users, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _end_access(user: User) -> None:
    """End every session and revoke every token of a user."""
    user.session_version += 1
    end_user_sessions(user)
    for token in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        token.revoked = True


def change_own_password(current: str, new: str) -> User:
    """Change the caller's password after checking the current one; all sessions and tokens end."""
    user = current_user()
    if not check_password_hash(user.password_hash, current):
        raise Invalid("当前密码不正确", "The current password is wrong.", field="current_password")
    check_password_strength(new, field="new_password")
    user.password_hash = hash_password(new)
    _end_access(user)
    return user
