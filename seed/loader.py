"""Load the demo property (翠湖花园 Cuihu Garden) from demo.yaml, creating only what is missing.

Every row is looked up by its natural key (listed at the top of demo.yaml) and created only when
missing; rows that exist are left as they are, so a second run creates and changes nothing.
Checklist templates that exist get a new version only when their items in demo.yaml changed.

Checkpoint codes come from the natural key "<property>:<zone key>:<kind>:<slot>", for example
"CH:A:stairwell:5" (Building A, 5th-floor stairwell), through :func:`derive_code`, so the same
demo prints the same labels on every machine; a code retired by re-issuing a label is never
handed out again. The loader flushes but never commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select, tuple_

from app.auth.models import ROLES, User
from app.auth.service import hash_password
from app.checklists.models import ANSWER_TYPES, SEVERITIES, ChecklistTemplate
from app.checklists.service import ITEM_FIELDS, add_template, publish
from app.extensions import db
from app.places.models import (
    CATEGORIES,
    CHECKPOINT_KINDS,
    UNIT_STATUSES,
    ZONE_KINDS,
    Checkpoint,
    Company,
    Department,
    Property,
    RetiredCode,
    RoutingRule,
    Unit,
    Zone,
)
from app.places.service import CODE_ALPHABET, CODE_LENGTH

DEMO_FILE = Path(__file__).with_name("demo.yaml")
# What a checklist item in demo.yaml means when it leaves a field out.
ITEM_DEFAULTS: dict[str, Any] = {
    **dict.fromkeys(ITEM_FIELDS),
    "answer_type": "pass_fail",
    "required": True,
    "photo_required_on_fail": True,
    "severity": "medium",
}
ZONE_FIELDS = ("kind", "name_zh", "name_en")
# How many checkpoints of a building rule a building gets: one per …
PER = ("entrance", "floor", "building", "renovating")
# The natural key of each model the demo creates, and the name its rows are counted under.
NATURAL_KEYS: dict[type, tuple[str, tuple[str, ...]]] = {
    Company: ("companies", ("name",)),
    Property: ("properties", ("company_id", "code")),
    Zone: ("zones", ("property_id", "name_zh")),
    Checkpoint: ("checkpoints", ("code",)),
    Unit: ("units", ("zone_id", "number")),
    Department: ("departments", ("property_id", "code")),
    RoutingRule: ("routing_rules", ("property_id", "category")),
}
COUNTED = [counted for counted, _ in NATURAL_KEYS.values()]
COUNTED += ["checklists", "checklist_versions", "users"]


@dataclass(frozen=True)
class CheckpointSpec:
    """One demo checkpoint, expanded from demo.yaml, with its natural key and derived code."""

    key: str
    zone: str
    kind: str
    name_zh: str
    name_en: str
    location: str
    code: str

    def columns(self) -> dict[str, str]:
        """Return the values of the checkpoint's own columns."""
        return {f: getattr(self, f) for f in ("code", "kind", "name_zh", "name_en", "location")}


def read_demo(path: Path = DEMO_FILE) -> dict[str, Any]:
    """Read the demo data and check it only uses names the app knows."""
    with path.open(encoding="utf-8") as f:
        data = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    check_demo(data)
    return data


def check_demo(data: dict[str, Any]) -> None:
    """Raise ValueError listing every unknown kind, category, status, role or department."""
    problems = [
        f"{where}: unknown {value!r}"
        for where, value, known in _names_used(data)
        if value not in known
    ]
    if problems:
        raise ValueError("demo data: " + "; ".join(problems))


def _names_used(data: dict[str, Any]) -> Iterator[tuple[str, Any, Collection[Any]]]:
    """Yield (where, value, allowed values) for every vocabulary value the demo uses."""
    depts = {d["code"] for d in data["departments"]}
    for category, dept in data["routing"].items():
        yield "routing", category, CATEGORIES
        yield f"routing {category}", dept, depts
    for zone in data["zones"]:
        yield f"zone {zone['key']}", zone["kind"], ZONE_KINDS
    for rule in data["building_checkpoints"]:
        yield f"building checkpoint {rule['kind']}", rule["per"], PER
    for zone_key, spec in _raw_checkpoints(data):
        yield f"checkpoint {zone_key} {spec['name_zh']}", spec["kind"], CHECKPOINT_KINDS
    for building in data["buildings"]:
        for status in building["units"]:
            yield f"units of {building['key']}", status, UNIT_STATUSES
    for kind, checklist in data["checklists"].items():
        yield "checklists", kind, CHECKPOINT_KINDS
        for item in checklist["items"]:
            where = f"checklist {kind} {item['text_zh']}"
            yield where, item["category"], CATEGORIES
            yield where, item.get("answer_type", "pass_fail"), ANSWER_TYPES
            yield where, item.get("severity", "medium"), SEVERITIES
            yield from ((where, field, ITEM_FIELDS) for field in item)
    for user in data["users"]:
        yield f"user {user['username']}", user["role"], ROLES
        if "department" in user:
            yield f"user {user['username']}", user["department"], depts


def derive_code(natural_key: str, taken: Collection[str] = ()) -> str:
    """Return the checkpoint code of a natural key: SHA-256 in base 31, salted past taken codes."""
    text, salt = natural_key, 0
    while True:
        number = int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")
        code = ""
        for _ in range(CODE_LENGTH):
            number, digit = divmod(number, len(CODE_ALPHABET))
            code += CODE_ALPHABET[digit]
        if code not in taken:
            return code
        salt += 1
        text = f"{natural_key}#{salt}"


def expand_checkpoints(data: dict[str, Any], taken: Collection[str] = ()) -> list[CheckpointSpec]:
    """Expand the demo's checkpoints in file order, each with a code unique among them."""
    used, keys, specs = set(taken), set(), []
    for zone_key, raw in _raw_checkpoints(data):
        key = f"{data['property']['code']}:{zone_key}:{raw['kind']}:{raw['slot']}"
        if key in keys:
            raise ValueError(f"demo data: checkpoint key {key} appears twice")
        code = derive_code(key, used)
        keys.add(key)
        used.add(code)
        fields = {f: raw[f] for f in ("kind", "name_zh", "name_en", "location")}
        specs.append(CheckpointSpec(key=key, zone=zone_key, code=code, **fields))
    return specs


def _raw_checkpoints(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (zone key, checkpoint fields and slot) for the buildings, then the other zones."""
    for building in data["buildings"]:
        names = {"zone": building["name_zh"], "zone_en": building["name_en"]}
        for rule in data["building_checkpoints"]:
            for slot in _slots(building, rule["per"]):
                texts = {
                    f: rule[f].format(n=slot, **names) for f in ("name_zh", "name_en", "location")
                }
                yield building["key"], {"kind": rule["kind"], "slot": slot, **texts}
    for zone in data["zones"]:
        for raw in zone["checkpoints"]:
            yield zone["key"], raw


def _slots(building: dict[str, Any], per: str) -> list[str]:
    """Return the entrance, floor or unit numbers a building rule repeats over."""
    if per == "entrance":
        return [str(n) for n in range(1, building["entrances"] + 1)]
    if per == "floor":
        return [str(n) for n in range(1, building["floors"] + 1)]
    if per == "renovating":
        return list(building["units"].get("renovating", []))
    return ["1"]


def load_demo(password: str) -> dict[str, int]:
    """Load the demo into db.session (flushed, not committed); return how many rows it created."""
    data = read_demo()
    counts = dict.fromkeys(COUNTED, 0)
    [company] = _ensure(counts, [Company(name=data["company"])])
    [prop] = _ensure(counts, [Property(company_id=company.id, **data["property"])])
    _load_places(data, prop, counts)
    depts = _ensure(counts, [Department(property_id=prop.id, **d) for d in data["departments"]])
    by_code = {d.code: d for d in depts}
    rules = [
        RoutingRule(property_id=prop.id, category=category, department_id=by_code[code].id)
        for category, code in data["routing"].items()
    ]
    _ensure(counts, rules)
    _load_checklists(data, prop, counts)
    _load_users(data, prop, by_code, password, counts)
    db.session.flush()
    return counts


def _ensure(counts: dict[str, int], rows: list[Any]) -> list[Any]:
    """Return the stored row for each row's natural key, adding and counting the missing ones."""
    if not rows:
        return []
    counted, names = NATURAL_KEYS[type(rows[0])]
    columns = [getattr(type(rows[0]), name) for name in names]

    def key(row: Any) -> tuple:
        return tuple(getattr(row, name) for name in names)

    query = select(type(rows[0])).where(tuple_(*columns).in_([key(row) for row in rows]))
    stored = {key(row): row for row in db.session.scalars(query)}
    for row in rows:
        if key(row) not in stored:
            stored[key(row)] = row
            db.session.add(row)
            counts[counted] += 1
    db.session.flush()
    return [stored[key(row)] for row in rows]


def _load_places(data: dict[str, Any], prop: Property, counts: dict[str, int]) -> None:
    """Create the missing zones, checkpoints and units."""
    specs = [{**b, "kind": "building"} for b in data["buildings"]] + data["zones"]
    zones = [Zone(property_id=prop.id, **{f: z[f] for f in ZONE_FIELDS}) for z in specs]
    zone = dict(zip([z["key"] for z in specs], _ensure(counts, zones), strict=True))
    checkpoints = [
        Checkpoint(property_id=prop.id, zone_id=zone[cp.zone].id, **cp.columns())
        for cp in _new_checkpoint_specs(data, prop)
    ]
    _ensure(counts, checkpoints)
    units = [
        Unit(property_id=prop.id, zone_id=zone[b["key"]].id, floor=int(n[:-2]), number=n, status=s)
        for b in data["buildings"]
        for s, numbers in b["units"].items()
        for n in numbers
    ]
    _link_renovation_labels(_ensure(counts, units))


def _link_renovation_labels(units: list[Unit]) -> None:
    """Point each renovation-unit label ("{zone} {n} 装修单元") at its unit."""
    by_key = {(u.zone_id, u.number): u for u in units}
    labels = select(Checkpoint).where(
        Checkpoint.kind == "renovation_unit",
        Checkpoint.unit_id.is_(None),
        Checkpoint.zone_id.in_({u.zone_id for u in units}),
    )
    for checkpoint in db.session.scalars(labels):
        unit = by_key.get((checkpoint.zone_id, checkpoint.name_zh.split()[1]))
        if unit is not None:
            checkpoint.unit_id = unit.id


def _new_checkpoint_specs(data: dict[str, Any], prop: Property) -> list[CheckpointSpec]:
    """Expand the checkpoints that are missing, salting codes another property already has."""
    taken: set[str] = set()
    while True:
        specs = expand_checkpoints(data, taken)
        owners = _code_owners([spec.code for spec in specs])
        clash = {code for code, property_id in owners.items() if property_id != prop.id}
        if not clash:
            return [spec for spec in specs if spec.code not in owners]
        taken |= clash


def _code_owners(codes: list[str]) -> dict[str, int]:
    """Return the property of each code in use by a checkpoint or retired with a re-issued label."""
    live = select(Checkpoint.code, Checkpoint.property_id).where(Checkpoint.code.in_(codes))
    retired = (
        select(RetiredCode.code, Checkpoint.property_id)
        .join(Checkpoint, RetiredCode.checkpoint_id == Checkpoint.id)
        .where(RetiredCode.code.in_(codes))
    )
    return {code: property_id for code, property_id in db.session.execute(live.union_all(retired))}


def _load_checklists(data: dict[str, Any], prop: Property, counts: dict[str, int]) -> None:
    """Create the missing templates; publish a new version where the items changed."""
    for kind, checklist in data["checklists"].items():
        items = [{**ITEM_DEFAULTS, **item} for item in checklist["items"]]
        query = select(ChecklistTemplate).filter_by(property_id=prop.id, kind=kind)
        template = db.session.scalar(query)
        if template is None:
            names = {"name_zh": checklist["name_zh"], "name_en": checklist["name_en"]}
            add_template({"property_id": prop.id, "kind": kind, "items": items, **names})
            counts["checklists"] += 1
            counts["checklist_versions"] += 1
        else:
            current = template.current_version
            if publish(template, items) is not current:
                counts["checklist_versions"] += 1


def _load_users(
    data: dict[str, Any],
    prop: Property,
    depts: dict[str, Department],
    password: str,
    counts: dict[str, int],
) -> None:
    """Create the missing demo users, granted the property; existing users stay untouched."""
    for spec in data["users"]:
        if db.session.scalar(select(User.id).where(User.username == spec["username"])):
            continue
        fields = {f: spec[f] for f in ("username", "role", "display_name")}
        dept = depts[spec["department"]] if "department" in spec else None
        password_hash = hash_password(password)
        user = User(
            company_id=prop.company_id, department=dept, password_hash=password_hash, **fields
        )
        user.properties = [prop]
        db.session.add(user)
        counts["users"] += 1
    db.session.flush()
