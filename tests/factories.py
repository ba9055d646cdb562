"""Factories that build model objects for tests (flushed, not committed)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from app.auth.models import ROLES, User
from app.auth.service import hash_password
from app.checklists.models import ChecklistTemplate
from app.checklists.service import add_template
from app.extensions import db
from app.places.models import (
    Checkpoint,
    Company,
    Department,
    Property,
    RoutingRule,
    Unit,
    Zone,
)

PASSWORD = "secret-pass-1"
_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def _add(obj: Any) -> Any:
    db.session.add(obj)
    db.session.flush()
    return obj


def company(**kw: Any) -> Company:
    return _add(Company(name=kw.pop("name", f"物业公司{_n()}"), **kw))


def property_(comp: Company | None = None, **kw: Any) -> Property:
    comp = comp or company()
    kw.setdefault("code", f"P{_n()}")
    kw.setdefault("name", f"花园{kw['code']}")
    return _add(Property(company_id=comp.id, **kw))


def zone(prop: Property, **kw: Any) -> Zone:
    kw.setdefault("kind", "building")
    kw.setdefault("name_zh", f"{_n()}幢")
    kw.setdefault("name_en", f"Building {kw['name_zh']}")
    return _add(Zone(property_id=prop.id, **kw))


def checkpoint(z: Zone, **kw: Any) -> Checkpoint:
    kw.setdefault("kind", "stairwell")
    kw.setdefault("name_zh", f"楼梯间{_n()}")
    kw.setdefault("code", f"T{_n():05d}")
    return _add(Checkpoint(property_id=z.property_id, zone_id=z.id, **kw))


def unit(z: Zone, **kw: Any) -> Unit:
    kw.setdefault("floor", 3)
    kw.setdefault("number", f"{300 + _n()}")
    return _add(Unit(property_id=z.property_id, zone_id=z.id, **kw))


def department(prop: Property, **kw: Any) -> Department:
    kw.setdefault("code", f"D{_n()}")
    kw.setdefault("name_zh", "工程部")
    kw.setdefault("name_en", "Engineering")
    return _add(Department(property_id=prop.id, **kw))


def routing_rule(prop: Property, dept: Department, category: str = "equipment") -> RoutingRule:
    return _add(RoutingRule(property_id=prop.id, department_id=dept.id, category=category))


def user(role: str, props: list[Property], dept: Department | None = None, **kw: Any) -> User:
    kw.setdefault("username", f"{role}{_n()}")
    kw.setdefault("display_name", kw["username"])
    obj = User(
        company_id=props[0].company_id,
        role=role,
        department_id=dept.id if dept else None,
        password_hash=hash_password(kw.pop("password", PASSWORD)),
        **kw,
    )
    obj.properties = list(props)
    return _add(obj)


def template(
    prop: Property,
    kind: str = "stairwell",
    items: list[dict] | None = None,
) -> ChecklistTemplate:
    items = items or [
        {
            "text_zh": "楼道清洁无杂物",
            "text_en": "Corridor clean, no clutter",
            "category": "cleaning",
        },
        {"text_zh": "照明正常", "text_en": "Lights work", "category": "equipment"},
    ]
    full = [
        {
            "answer_type": "pass_fail",
            "required": True,
            "photo_required_on_fail": True,
            "severity": "medium",
            "min_value": None,
            "max_value": None,
            "unit": None,
            "text_en": None,
            **i,
        }
        for i in items
    ]
    return add_template(
        {
            "property_id": prop.id,
            "kind": kind,
            "name_zh": "检查表",
            "name_en": "Checklist",
            "items": full,
        }
    )


@dataclass
class Site:
    """One property with a zone, a checkpoint, a unit, a department and a user per role."""

    prop: Property
    zone: Zone
    checkpoint: Checkpoint
    unit: Unit
    department: Department
    rule: RoutingRule
    template: ChecklistTemplate
    users: dict[str, User] = field(default_factory=dict)


@dataclass
class World:
    """Two properties of one company: A (the caller's) and B (someone else's)."""

    a: Site
    b: Site


def site(comp: Company, code: str) -> Site:
    prop = property_(comp, code=code)
    z = zone(prop)
    dept = department(prop, code="ENG")
    s = Site(
        prop=prop,
        zone=z,
        checkpoint=checkpoint(z),
        unit=unit(z),
        department=dept,
        rule=routing_rule(prop, dept),
        template=template(prop),
    )
    for role in ROLES:
        s.users[role] = user(
            role, [prop], dept if role == "staff" else None, username=f"{role}_{code.lower()}"
        )
    return s


def build_world() -> World:
    comp = company()
    return World(a=site(comp, "A"), b=site(comp, "B"))


def shared_user(w: World, role: str = "assistant", **kw: Any) -> User:
    """Build a user granted both properties of a world, in A's department."""
    kw.setdefault("username", "dual")
    kw.setdefault("phone", "13812345678")
    return user(role, [w.a.prop, w.b.prop], w.a.department, **kw)
