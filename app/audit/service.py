"""Write audit entries (in the caller's transaction) and query them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from flask import g
from sqlalchemy import Select, or_, select

from app.audit.models import AuditEntry
from app.common.models import utcnow
from app.extensions import db

SECRET_FIELDS = frozenset({"password", "password_hash", "address_secret"})
# Phone numbers, masked on reading for those who do not see them in full elsewhere (e.g. /units).
CONTACT_FIELDS = frozenset({"phone", "owner_phone", "reporter_phone"})
HIDDEN = "***"


def _plain(value: Any) -> Any:
    """Turn a value into something JSON keeps as it is."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def snapshot(obj: Any, fields: Any) -> dict[str, Any]:
    """Read the current values of some fields of an object, before it changes."""
    return {name: _plain(getattr(obj, name, None)) for name in fields}


def diff(before: dict[str, Any], obj: Any) -> dict[str, list[Any]]:
    """Compare a snapshot with the object now: {field: [old, new]} for changed fields."""
    changes: dict[str, list[Any]] = {}
    for name, old in before.items():
        new = _plain(getattr(obj, name, None))
        if new != old:
            changes[name] = [HIDDEN, HIDDEN] if name in SECRET_FIELDS else [old, new]
    return changes


def created(obj: Any, fields: Any) -> dict[str, list[Any]]:
    """Describe a new object as changes from nothing."""
    return {
        name: [None, HIDDEN if name in SECRET_FIELDS else _plain(getattr(obj, name, None))]
        for name in fields
    }


def record(
    entity: str,
    entity_id: int | None,
    action: str,
    changes: dict[str, Any] | None = None,
    *,
    property_id: int | None = None,
    summary: str | None = None,
    company_id: int | None = None,
) -> AuditEntry | None:
    """Add an audit entry to the current transaction; an update that changed nothing is skipped."""
    if action == "update" and not changes:
        return None
    user = g.get("user")
    entry = AuditEntry(
        at=utcnow(),
        company_id=user.company_id if user else company_id or _company_of(property_id),
        property_id=property_id,
        user_id=user.id if user else None,
        entity=entity,
        entity_id=entity_id,
        action=action,
        summary=(summary or "")[:300] or None,
        changes=_plain(changes) if changes else None,
    )
    db.session.add(entry)
    return entry


def _company_of(property_id: int | None) -> int | None:
    from app.places.models import Property

    prop = db.session.get(Property, property_id) if property_id else None
    return prop.company_id if prop else None


def list_entries(args: dict[str, Any]) -> Select:
    """Select the entries of the caller's properties (and company-wide ones), newest first."""
    from app.auth.service import current_user, get_property, granted_property_ids
    from app.auth.users import visible_user_ids

    me = current_user()
    if args.get("property_id") is not None:
        get_property(args["property_id"])
    # Entries without a property are company-wide; those about a user are shown only to
    # admins who share a property with that user.
    company_wide = (AuditEntry.property_id.is_(None)) & (AuditEntry.company_id == me.company_id)
    about_seen_user = (AuditEntry.entity != "user") | AuditEntry.entity_id.in_(visible_user_ids())
    query = select(AuditEntry).where(
        or_(
            AuditEntry.property_id.in_(granted_property_ids()),
            company_wide & about_seen_user,
        )
    )
    for name in ("property_id", "entity", "entity_id", "user_id", "action"):
        if args.get(name) is not None:
            query = query.where(getattr(AuditEntry, name) == args[name])
    if args.get("from") is not None:
        query = query.where(AuditEntry.at >= _moment(args["from"], end=False))
    if args.get("to") is not None:
        query = query.where(AuditEntry.at < _moment(args["to"], end=True))
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def shown_changes(entry: AuditEntry) -> dict[str, Any] | None:
    """Return an entry's changes as the caller may read them: contacts masked, no foreign grants."""
    from app.auth.service import current_user
    from app.common.schemas import SEES_CONTACTS, mask_phone

    if not entry.changes:
        return entry.changes
    full_contacts = current_user().role in SEES_CONTACTS
    shown: dict[str, Any] = {}
    for name, pair in entry.changes.items():
        if name in CONTACT_FIELDS and not full_contacts and isinstance(pair, list):
            pair = [mask_phone(v) if isinstance(v, str) else v for v in pair]
        elif entry.entity == "user" and name in ("property_ids", "department_id"):
            pair = _within_my_properties(name, pair)
            if pair[0] == pair[1]:
                continue  # a change only to grants of other properties
        shown[name] = pair
    return shown


def _within_my_properties(name: str, pair: list[Any]) -> list[Any]:
    """Keep of a user's grants (or department) only what lies in the caller's properties."""
    from app.auth.service import granted_property_ids
    from app.places.models import Department

    mine = set(granted_property_ids())
    if name == "property_ids":
        return [[i for i in v if i in mine] if isinstance(v, list) else v for v in pair]
    ids = {v for v in pair if v is not None}
    query = select(Department.id).where(Department.id.in_(ids), Department.property_id.in_(mine))
    shown = set(db.session.scalars(query))
    return [v if v is None or v in shown else HIDDEN for v in pair]


def _moment(value: date | datetime, end: bool) -> datetime:
    """Read a filter bound: a date means its whole day (UTC); a date-time is exact."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)
        return moment + (timedelta(microseconds=1) if end else timedelta(0))
    day = datetime.combine(value, time(0), tzinfo=utcnow().tzinfo)
    return day + timedelta(days=1) if end else day


def _label(obj: Any) -> str | None:
    for name in ("name_zh", "name", "username", "code", "category", "address"):
        value = getattr(obj, name, None)
        if value:
            return str(value)
    return None


def _property_of(entity: str, obj: Any) -> int | None:
    return obj.id if entity == "property" else getattr(obj, "property_id", None)


def added(entity: str, obj: Any, fields: Any, action: str = "create") -> AuditEntry | None:
    """Record a new set-up object with the values it was created with."""
    return record(
        entity,
        obj.id,
        action,
        created(obj, fields),
        property_id=_property_of(entity, obj),
        summary=_label(obj),
    )


def changed(
    entity: str, obj: Any, before: dict[str, Any], action: str | None = None
) -> AuditEntry | None:
    """Record what changed since a snapshot; a change of `active` alone is (de)activation."""
    changes = diff(before, obj)
    if not changes:
        return None
    if action is None:
        action = "update"
        if set(changes) == {"active"}:
            action = "reactivate" if getattr(obj, "active", False) else "deactivate"
    return record(
        entity,
        obj.id,
        action,
        changes,
        property_id=_property_of(entity, obj),
        summary=_label(obj),
    )
