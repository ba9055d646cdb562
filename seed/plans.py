"""Load the demo's shifts and patrol plans (demo.yaml ``shifts`` and ``plans``), creating only
what is missing: a shift is known by (property, code), a plan by the Chinese name of its version
in force. A new demo plan starts at the beginning of the local day it is loaded (or of the first
day of generated history), so a new user sees today's slots at once. Flushes, never commits.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.auth.models import ROLES, User
from app.extensions import db
from app.places.models import CHECKPOINT_KINDS, Property, Zone
from app.plans.models import FREQUENCIES, Plan, PlanVersion, Shift
from seed.loader import read_demo


def minutes(clock: str) -> int:
    """Return the minutes after midnight of "HH:MM"."""
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def check_plans(data: dict[str, Any]) -> None:
    """Raise ValueError naming every unknown role, kind, frequency, zone, shift or user."""
    zones = {z["key"] for z in data["zones"]} | {b["key"] for b in data["buildings"]}
    shifts = {s["code"] for s in data["shifts"]}
    users = {u["username"] for u in data["users"]}
    used: list[tuple[str, Any, Collection[Any]]] = [
        (f"shift {s['code']}", s["role"], ROLES) for s in data["shifts"]
    ]
    for plan in data["plans"]:
        where = f"plan {plan['name_zh']}"
        used.append((where, plan["frequency"], FREQUENCIES))
        used += [
            (where, plan[k], known)
            for k, known in (("zone", zones), ("kind", CHECKPOINT_KINDS), ("role", ROLES))
            if k in plan
        ]
        used += [
            (where, code, shifts) for code in [*plan.get("shifts", []), plan.get("shift")] if code
        ]
        used += [(where, name, users) for name in plan.get("assignees", [])]
    problems = [f"{where}: unknown {value!r}" for where, value, known in used if value not in known]
    if problems:
        raise ValueError("demo data: " + "; ".join(problems))


def load_demo_plans(prop: Property, start: datetime) -> dict[str, int]:
    """Create the demo's missing shifts and plans, new plans valid from start."""
    data = read_demo()
    check_plans(data)
    counts = {"shifts": 0, "plans": 0}
    shifts = {s.code: s for s in db.session.scalars(select(Shift).filter_by(property_id=prop.id))}
    for spec in data["shifts"]:
        if spec["code"] not in shifts:
            shift = Shift(
                property_id=prop.id,
                code=spec["code"],
                name_zh=spec["name_zh"],
                name_en=spec["name_en"],
                role=spec["role"],
                start_minute=minutes(spec["start"]),
                end_minute=minutes(spec["end"]),
            )
            db.session.add(shift)
            shifts[shift.code] = shift
            counts["shifts"] += 1
    db.session.flush()
    existing = set(
        db.session.scalars(
            select(PlanVersion.name_zh).where(
                PlanVersion.property_id == prop.id, PlanVersion.valid_until.is_(None)
            )
        )
    )
    for spec in data["plans"]:
        if spec["name_zh"] not in existing:
            _add_plan(prop, spec, shifts, start)
            counts["plans"] += 1
    db.session.flush()
    return counts


def _add_plan(
    prop: Property, spec: dict[str, Any], shifts: dict[str, Shift], start: datetime
) -> None:
    zone_id = None
    if "zone" in spec:
        zone_name = _zone_names(read_demo())[spec["zone"]]
        zone_id = db.session.scalar(
            select(Zone.id).filter_by(property_id=prop.id, name_zh=zone_name)
        )
    owners = [
        db.session.scalar(select(User.id).where(User.username == name))
        for name in spec.get("assignees", [])
    ]
    codes = spec.get("shifts") or ([spec["shift"]] if "shift" in spec else [])
    plan = Plan(property_id=prop.id)
    db.session.add(plan)
    db.session.flush()
    db.session.add(
        PlanVersion(
            plan_id=plan.id,
            property_id=prop.id,
            number=1,
            name_zh=spec["name_zh"],
            name_en=spec["name_en"],
            zone_id=zone_id,
            checkpoint_kind=spec.get("kind"),
            frequency=spec["frequency"],
            weekdays=spec.get("weekdays"),
            shift_ids=[shifts[c].id for c in codes] or None,
            start_minute=minutes(spec["start"]) if "start" in spec else None,
            end_minute=minutes(spec["end"]) if "end" in spec else None,
            grace_minutes=spec.get("grace_minutes", 0),
            assignee_ids=[o for o in owners if o is not None] or None,
            assignee_role=spec.get("role"),
            valid_from=start,
        )
    )


def _zone_names(data: dict[str, Any]) -> dict[str, str]:
    return {z["key"]: z["name_zh"] for z in data["buildings"] + data["zones"]}


def backdate(prop: Property, start: datetime) -> int:
    """Let the demo's never-edited plans start at start (for generated history); return how many."""
    moved = 0
    for plan in db.session.scalars(select(Plan).filter_by(property_id=prop.id)):
        first = plan.versions[0]
        if len(plan.versions) == 1 and first.valid_from > start:
            first.valid_from, first.materialized_until = start, None
            moved += 1
    db.session.flush()
    return moved


def local_midnight(prop: Property, moment: datetime) -> datetime:
    """Return the start of the property's local day holding moment (as UTC)."""
    from app.plans.expand import at_local, local_date

    tz = ZoneInfo(prop.timezone)
    return at_local(local_date(moment, tz), 0, tz)
