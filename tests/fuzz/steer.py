"""Point half of the small generated ids at rows of the admin's property.

Random integers seldom name a row the admin may touch, so most requests would stop at 404 or
at a foreign-key check and never reach the code behind it. An even id below 1000 (what
Hypothesis draws most) becomes one of the admin's rows of the right table; odd ones and large
ones are left as drawn, to keep the not-found and out-of-range answers in the run.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from sqlalchemy import select

from app.extensions import db

# Which table an id names, by the field's name without `_id`/`_ids`, or by the path segment
# before `{...}` in the operation's path.
FIELD_TABLES = {
    "property": "property",
    "zone": "zone",
    "checkpoint": "checkpoint",
    "unit": "unit",
    "department": "department",
    "user": "user",
    "assignee": "user",
    "to_user": "user",
    "shift": "shift",
    "to_shift": "shift",
    "plan": "plan",
    "ticket": "ticket",
    "notice_ticket": "ticket",
    "channel": "notification_channel",
    "photo": "photo",
    "item": "checklist_item",
    "inspection": "inspection",
    "slot": "slot",
    "checklist_version": "checklist_version",
}
PATH_TABLES = {
    "users": "user",
    "properties": "property",
    "zones": "zone",
    "checkpoints": "checkpoint",
    "units": "unit",
    "departments": "department",
    "routing-rules": "routing_rule",
    "checklists": "checklist_template",
    "photos": "photo",
    "inspections": "inspection",
    "tickets": "ticket",
    "notification-channels": "notification_channel",
    "notifications": "notification",
    "shifts": "shift",
    "plans": "plan",
    "slots": "slot",
    "handovers": "handover_note",
    "permits": "renovation_permit",
    "review": "inspection",
    "tokens": "api_token",
}

Pools = dict[str, list[int]]


def pools(property_id: int, company_id: int) -> Pools:
    """Return the ids of the property's rows (the company's, for tables without a property)."""
    found: Pools = {}
    for name in {*FIELD_TABLES.values(), *PATH_TABLES.values()}:
        table = db.metadata.tables[name]
        query = select(table.c.id).order_by(table.c.id)
        if "property_id" in table.c:
            query = query.where(table.c.property_id == property_id)
        elif "company_id" in table.c:
            query = query.where(table.c.company_id == company_id)
        elif name == "property":
            query = query.where(table.c.id == property_id)
        found[name] = list(db.session.scalars(query))
    return found


def _pick(pool: list[int] | None, value: Any) -> Any:
    if not pool or isinstance(value, bool) or not isinstance(value, int):
        return value
    if 0 <= value < 1000 and value % 2 == 0:
        return pool[(value // 2) % len(pool)]
    return value


def _steer_fields(data: Any, found: Pools) -> None:
    if not isinstance(data, dict):
        return
    for key, value in list(data.items()):
        if not isinstance(key, str):
            continue
        if key.endswith("_ids") and isinstance(value, list):
            pool = found.get(FIELD_TABLES.get(key[:-4], ""))
            data[key] = [_pick(pool, v) for v in value]
        elif key.endswith("_id"):
            data[key] = _pick(found.get(FIELD_TABLES.get(key[:-3], "")), value)


def steer(case: schemathesis.Case, found: Pools) -> None:
    """Rewrite the case's small even ids in place (path, query and JSON or form body)."""
    segments = case.operation.path.strip("/").split("/")
    for name, value in list((case.path_parameters or {}).items()):
        marker = f"{{{name}}}"
        before = [segments[i - 1] for i, s in enumerate(segments) if marker in s and i > 0]
        table = PATH_TABLES.get(before[0]) if before else None
        case.path_parameters[name] = _pick(found.get(table or ""), value)
    _steer_fields(case.query, found)
    _steer_fields(case.body, found)
