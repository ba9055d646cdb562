"""User administration (用户管理): who may see and change which user, account and grants.

A user may hold several properties. An admin edits the grants of the properties they
administer; the account itself (username, name, phone, role, password, active) is changed only
by an admin of every property the user holds, so the admin of one property cannot take over a
user who also works in another.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from app.auth.models import User, property_grant
from app.auth.service import (
    _end_access,
    check_password_strength,
    current_user,
    department_in,
    granted_property_ids,
    hash_password,
)
from app.common.models import assign
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.places.models import Department, Property

# What the audit trail compares for a user (password_hash shows as ***).
USER_FIELDS = (
    "username",
    "display_name",
    "phone",
    "role",
    "department_id",
    "active",
    "property_ids",
)
# Fields of the account as a whole, not of one property: they need authority over all of them.
ACCOUNT_FIELDS = ("username", "display_name", "phone", "role", "active", "password")


class AccountShared(Forbidden):
    """The user also holds properties the caller does not administer (403)."""

    code = "account_shared"


def _audit() -> Any:
    # Imported late: the audit domain reads the caller through the auth service.
    from app.audit import service

    return service


# --- who sees and who may change whom ---


def administered_property_ids() -> set[int]:
    """Return the ids of the properties the caller administers."""
    me = current_user()
    return set(me.property_ids) if me.role == "admin" else set()


def has_authority(user: User) -> bool:
    """Tell whether the caller administers every property the user holds."""
    return set(user.property_ids) <= administered_property_ids()


def require_authority(user: User, fields: list[str]) -> None:
    """Refuse an account change unless the caller administers all of the user's properties."""
    if has_authority(user):
        return
    names = ", ".join(fields)
    raise AccountShared(
        f"该用户还属于你不管理的项目，只有管理其全部项目的管理员才能修改账号（{names}）",
        "This user also belongs to properties you do not administer; only an administrator of "
        f"all their properties may change the account ({names}).",
        errors={f: ["Needs an administrator of all the user's properties."] for f in fields},
    )


def seen_property_ids(user: User) -> set[int] | None:
    """Return the user's grants the caller may see (None: all of them, e.g. their own)."""
    from flask import g

    viewer = g.get("user")
    if viewer is None or viewer.id == user.id:
        return None
    return set(user.property_ids) & set(viewer.property_ids)


def visible_user_ids() -> Select:
    """Select the ids of users who share at least one property with the caller."""
    return select(property_grant.c.user_id).where(
        property_grant.c.property_id.in_(granted_property_ids())
    )


def visible_users() -> Select:
    """Select users who share at least one property with the caller."""
    return select(User).where(User.id.in_(visible_user_ids()))


def get_user(user_id: int) -> User:
    """Return a user the caller may see, else raise NotFound."""
    user = db.session.scalar(visible_users().where(User.id == user_id))
    if user is None:
        raise NotFound()
    return user


def list_users(args: dict[str, Any]) -> Select:
    """Select the users the caller may see, filtered by property, role, department, active."""
    from app.auth.service import get_property

    query = visible_users()
    if args.get("property_id") is not None:
        get_property(args["property_id"])
        granted = select(property_grant.c.user_id).where(
            property_grant.c.property_id == args["property_id"]
        )
        query = query.where(User.id.in_(granted))
    if args.get("department_id") is not None:
        mine = select(Department.id).where(Department.property_id.in_(granted_property_ids()))
        query = query.where(User.department_id == args["department_id"])
        query = query.where(User.department_id.in_(mine))
    for name in ("role", "active"):
        if args.get(name) is not None:
            query = query.where(getattr(User, name) == args[name])
    return query


# --- create and change ---


def _grantable(property_ids: list[int]) -> list[Property]:
    mine = set(granted_property_ids())
    if not set(property_ids) <= mine:
        raise NotFound("找不到该项目", "No such property among yours.", field="property_ids")
    return list(db.session.scalars(select(Property).where(Property.id.in_(property_ids))))


def _check_department(role: str, department_id: int | None, properties: list[Property]) -> None:
    if department_id is not None:
        department_in(department_id, [p.id for p in properties])
    elif role == "staff":
        raise Invalid(
            "部门员工必须属于一个部门", "Staff must belong to a department.", field="department_id"
        )


def create_user(data: dict[str, Any]) -> User:
    """Create a user in the caller's company with the given properties."""
    from app.places.service import ensure_unique

    ensure_unique(User, "username", data["username"])
    check_password_strength(data["password"])
    properties = _grantable(data.pop("property_ids"))
    _check_department(data["role"], data.get("department_id"), properties)
    password = data.pop("password")
    user = User(company_id=current_user().company_id, password_hash=hash_password(password), **data)
    user.properties = properties
    db.session.add(user)
    db.session.flush()
    _audit().added("user", user, [*USER_FIELDS, "password_hash"])
    return user


def account_changes(user: User, data: dict[str, Any]) -> list[str]:
    """Name the account-wide fields that data would change (a password always counts)."""
    return [
        name
        for name in ACCOUNT_FIELDS
        if name in data and (name == "password" or not _same(getattr(user, name), data[name]))
    ]


def _same(stored: Any, sent: Any) -> bool:
    # An empty phone comes back from a form as "" or null: neither changes a stored nothing.
    return stored == sent or (stored in (None, "") and sent in (None, ""))


def update_user(user: User, data: dict[str, Any]) -> User:
    """Change a user; grants outside the caller's properties are left as they are."""
    account = account_changes(user, data)
    if account:
        require_authority(user, account)
    before = _audit().snapshot(user, [*USER_FIELDS, "password_hash"])
    _apply_user(user, data)
    _audit().changed("user", user, before)
    return user


def _apply_user(user: User, data: dict[str, Any]) -> None:
    from app.places.service import ensure_unique

    if "username" in data:
        ensure_unique(User, "username", data["username"], user.id)
    _department_change(user, data)
    if "property_ids" in data:
        mine = set(granted_property_ids())
        kept = [p for p in user.properties if p.id not in mine]
        user.properties = kept + _grantable(data.pop("property_ids"))
    role = data.get("role", user.role)
    department_id = data.get("department_id", user.department_id)
    _check_department(role, department_id, user.properties)
    if "password" in data:
        check_password_strength(data["password"])
        user.password_hash = hash_password(data.pop("password"))
        _end_access(user)
    if data.get("active") is False:
        _deactivate(user)
    assign(user, data)


def _department_change(user: User, data: dict[str, Any]) -> None:
    """Check a new department against the properties the caller may act in."""
    if "department_id" not in data or data["department_id"] == user.department_id:
        return
    mine = set(granted_property_ids())
    old = user.department
    if old is not None and old.property_id not in mine:
        if data["department_id"] is None:
            # The caller is shown no department they cannot see; sending none keeps it.
            data.pop("department_id")
            return
        require_authority(user, ["department_id"])
    if data["department_id"] is not None:
        department_in(data["department_id"], mine)


def grant_property(user: User, property_id: int) -> User:
    """Grant one of the caller's properties to a user."""
    prop = _grantable([property_id])[0]
    if prop not in user.properties:
        before = _audit().snapshot(user, ["property_ids"])
        user.properties.append(prop)
        _audit().changed("user", user, before)
    return user


def revoke_property(user: User, property_id: int) -> User:
    """Take one of the caller's properties away from a user (they keep at least one)."""
    prop = _grantable([property_id])[0]
    if prop not in user.properties:
        return user
    if len(user.properties) == 1:
        raise Conflict(
            "用户至少需要一个项目；不再需要该账号时请停用",
            "A user needs at least one property; deactivate the account instead.",
            field="property_ids",
        )
    before = _audit().snapshot(user, ["property_ids"])
    user.properties = [p for p in user.properties if p.id != prop.id]
    _check_department(user.role, user.department_id, user.properties)
    _audit().changed("user", user, before)
    return user


# --- account actions ---


def deactivate_user(user: User) -> User:
    """Stop a user logging in and end their sessions and tokens."""
    require_authority(user, ["active"])
    before = _audit().snapshot(user, ["active"])
    _deactivate(user)
    _audit().changed("user", user, before)
    return user


def reactivate_user(user: User) -> User:
    """Let a deactivated user log in again (with a fresh login; old sessions stay ended)."""
    require_authority(user, ["active"])
    before = _audit().snapshot(user, ["active"])
    user.active = True
    _audit().changed("user", user, before)
    return user


def reset_password(user: User, password: str) -> User:
    """Set a new password for a user; their sessions and tokens stop working."""
    require_authority(user, ["password"])
    check_password_strength(password)
    user.password_hash = hash_password(password)
    _end_access(user)
    _audit().record(
        "user",
        user.id,
        "reset_password",
        {"password": ["***", "***"]},
        summary=user.username,
    )
    return user


def _deactivate(user: User) -> None:
    if user.id == current_user().id:
        raise Conflict(
            "不能停用自己的账号", "You cannot deactivate your own account.", field="active"
        )
    user.active = False
    _end_access(user)
