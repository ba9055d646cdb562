"""Role × action × property matrix: who may read and change what, and nobody sees another
property's objects (404, never 403, so ids do not leak)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import Site

ROLES = ["assistant", "inspector", "frontdesk", "staff", "supervisor", "admin"]
EVERYONE = set(ROLES)


@dataclass(frozen=True)
class Resource:
    """How to reach one resource over HTTP, and who may do what with it."""

    path: str
    obj: Callable[[Site], Any]
    create: Callable[[Site], dict]
    patch: dict
    readers: frozenset[str]
    writers: frozenset[str]


def _item(text: str) -> dict:
    return {"text_zh": text, "text_en": "Item", "category": "cleaning"}


RESOURCES = {
    "properties": Resource(
        "/api/v1/properties",
        lambda s: s.prop,
        lambda s: {"code": "NEW", "name": "新项目"},
        {"name": "改名"},
        frozenset(EVERYONE),
        frozenset({"admin"}),
    ),
    "zones": Resource(
        "/api/v1/zones",
        lambda s: s.zone,
        lambda s: {"property_id": s.prop.id, "kind": "grounds", "name_zh": "园区"},
        {"name_en": "Renamed"},
        frozenset(EVERYONE),
        frozenset({"admin"}),
    ),
    "checkpoints": Resource(
        "/api/v1/checkpoints",
        lambda s: s.checkpoint,
        lambda s: {"zone_id": s.zone.id, "kind": "fire_equipment", "name_zh": "3F 消防栓"},
        {"location": "三楼东侧"},
        frozenset(EVERYONE),
        frozenset({"admin"}),
    ),
    "units": Resource(
        "/api/v1/units",
        lambda s: s.unit,
        lambda s: {"zone_id": s.zone.id, "floor": 12, "number": "1201"},
        {"status": "renovating"},
        frozenset(EVERYONE),
        frozenset({"admin", "supervisor"}),
    ),
    "departments": Resource(
        "/api/v1/departments",
        lambda s: s.department,
        lambda s: {"property_id": s.prop.id, "code": "GREEN", "name_zh": "绿化"},
        {"name_en": "Renamed"},
        frozenset(EVERYONE),
        frozenset({"admin"}),
    ),
    "routing-rules": Resource(
        "/api/v1/routing-rules",
        lambda s: s.rule,
        lambda s: {
            "property_id": s.prop.id,
            "category": "greening",
            "department_id": s.department.id,
        },
        {"category": "fire"},
        frozenset(EVERYONE),
        frozenset({"admin", "supervisor"}),
    ),
    "checklists": Resource(
        "/api/v1/checklists",
        lambda s: s.template,
        lambda s: {
            "property_id": s.prop.id,
            "kind": "shop",
            "name_zh": "商铺检查",
            "items": [_item("消防器材齐全")],
        },
        {"items": [_item("楼道清洁")]},
        frozenset(EVERYONE),
        frozenset({"admin", "supervisor"}),
    ),
    "users": Resource(
        "/api/v1/users",
        lambda s: s.users["assistant"],
        lambda s: {
            "username": "newbie",
            "display_name": "新人",
            "role": "assistant",
            "property_ids": [s.prop.id],
            "password": "long-enough-1",
        },
        {"display_name": "改名"},
        frozenset({"admin", "supervisor", "frontdesk"}),
        frozenset({"admin"}),
    ),
}
# PUT publishes a checklist version; everything else is edited with PATCH.
EDIT_METHOD = {"checklists": "put"}


def _ids(resp) -> set[int]:
    return {item["id"] for item in resp.get_json()["items"]}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", RESOURCES)
def test_read_own_and_other(world, login, name, role):
    res = RESOURCES[name]
    client = login(world.a.users[role])
    own, other = res.obj(world.a), res.obj(world.b)

    listed = client.get(res.path)
    got_own = client.get(f"{res.path}/{own.id}")
    got_other = client.get(f"{res.path}/{other.id}")

    if role in res.readers:
        assert listed.status_code == 200
        assert own.id in _ids(listed)
        assert other.id not in _ids(listed)
        assert got_own.status_code == 200
        assert got_own.get_json()["id"] == own.id
        assert got_other.status_code == 404
    else:
        assert listed.status_code == 403
        assert got_own.status_code == 403
        assert got_other.status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", RESOURCES)
def test_write_own_property(world, login, name, role):
    res = RESOURCES[name]
    client = login(world.a.users[role])
    own = res.obj(world.a)
    edit = getattr(client, EDIT_METHOD.get(name, "patch"))

    created = client.post(res.path, json=res.create(world.a))
    edited = edit(f"{res.path}/{own.id}", json=res.patch)

    if role in res.writers:
        assert created.status_code == 201, created.get_json()
        assert edited.status_code == 200, edited.get_json()
        shown = client.get(f"{res.path}/{created.get_json()['id']}").get_json()
        assert shown["id"] == created.get_json()["id"]
    else:
        assert created.status_code == 403
        assert edited.status_code == 403
        assert created.get_json()["code"] == "forbidden"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", [n for n in RESOURCES if n != "properties"])
def test_write_other_property(world, login, name, role):
    res = RESOURCES[name]
    client = login(world.a.users[role])
    other = res.obj(world.b)
    edit = getattr(client, EDIT_METHOD.get(name, "patch"))

    created = client.post(res.path, json=res.create(world.b))
    edited = edit(f"{res.path}/{other.id}", json=res.patch)

    expected = 404 if role in res.writers else 403
    assert created.status_code == expected, created.get_json()
    assert edited.status_code == expected, edited.get_json()


def test_other_property_not_changed_by_admin(world, login):
    client = login(world.a.users["admin"])
    resp = client.patch(f"/api/v1/properties/{world.b.prop.id}", json={"name": "被改"})
    assert resp.status_code == 404
    assert client.get(f"/api/v1/properties/{world.b.prop.id}").status_code == 404
    b_admin = login(world.b.users["admin"])
    assert b_admin.get(f"/api/v1/properties/{world.b.prop.id}").get_json()["name"] == "花园B"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/properties",
        "/api/v1/zones",
        "/api/v1/checkpoints",
        "/api/v1/units",
        "/api/v1/departments",
        "/api/v1/routing-rules",
        "/api/v1/checklists",
        "/api/v1/users",
        "/api/v1/me",
    ],
)
def test_anonymous_gets_401(client, world, path):
    resp = client.get(path)
    assert resp.status_code == 401
    assert resp.mimetype == "application/problem+json"


def test_anonymous_write_is_401_even_with_bad_body(client, world):
    resp = client.post("/api/v1/zones", json={"nonsense": True})
    assert resp.status_code == 401


def test_by_code_of_other_property_is_404(world, login):
    client = login(world.a.users["assistant"])
    assert client.get(f"/api/v1/checkpoints/by-code/{world.a.checkpoint.code}").status_code == 200
    assert client.get(f"/api/v1/checkpoints/by-code/{world.b.checkpoint.code}").status_code == 404


def test_user_granted_both_properties_sees_both(world, login, app):
    from app.extensions import db

    sup = world.a.users["supervisor"]
    sup.properties.append(world.b.prop)
    db.session.commit()
    client = login(sup)
    ids = _ids(client.get("/api/v1/zones"))
    assert {world.a.zone.id, world.b.zone.id} <= ids


# --- a user granted both A and B (issue #13): B's side sees and edits only B's share ---

SHARED_ACCOUNT_ACTIONS = {
    "role": ("patch", "", {"role": "admin"}, 200),
    "display_name": ("patch", "", {"display_name": "改名"}, 200),
    "password": ("patch", "", {"password": "brand-new-pass-9"}, 200),
    "reset-password": ("post", "/reset-password", {"password": "brand-new-pass-9"}, 204),
    "deactivate": ("post", "/deactivate", None, 200),
    "delete": ("delete", "", None, 204),
    "grant-b": ("put", "/properties/{b}", None, 200),
}


@pytest.mark.parametrize("admin_of", ["B", "A+B"])
@pytest.mark.parametrize("action", SHARED_ACCOUNT_ACTIONS)
def test_shared_users_account_needs_an_admin_of_all_their_properties(
    world, login, action, admin_of
):
    from app.extensions import db
    from tests import factories

    dual = factories.shared_user(world)
    admin = world.b.users["admin"]
    if admin_of == "A+B":
        admin.properties.append(world.a.prop)
    db.session.commit()
    method, suffix, body, ok = SHARED_ACCOUNT_ACTIONS[action]
    path = f"/api/v1/users/{dual.id}{suffix.format(b=world.b.prop.id)}"
    resp = getattr(login(admin), method)(path, json=body)
    grants_only = action.startswith("grant")
    expected = ok if admin_of == "A+B" or grants_only else 403
    assert resp.status_code == expected, resp.get_json()


def _leaks(body: Any, a: Site) -> int:
    """Count the places a response shows property A's id, name or department."""
    if isinstance(body, list):
        return sum(_leaks(v, a) for v in body)
    if isinstance(body, str):
        return int(a.prop.name in body)
    if not isinstance(body, dict):
        return 0
    count = 0
    for key, value in body.items():
        if key == "property_ids":
            count += str(value).replace("[", ",").replace("]", ",").count(f",{a.prop.id},")
        elif key in ("property_id", "department_id") and isinstance(value, int | list):
            wanted = a.prop.id if key == "property_id" else a.department.id
            count += value.count(wanted) if isinstance(value, list) else int(value == wanted)
        elif key in ("properties", "department") and value:
            wanted = a.prop.id if key == "properties" else a.department.id
            refs = value if isinstance(value, list) else [value]
            count += sum(r.get("id") == wanted for r in refs)
        else:
            count += _leaks(value, a)
    return count


@pytest.mark.parametrize("role", ROLES)
def test_a_shared_user_leaks_nothing_of_the_other_property(world, login, role):
    from app.extensions import db
    from tests import factories

    dual = factories.shared_user(world)
    both = factories.user("admin", [world.a.prop, world.b.prop], username="admin_both")
    db.session.commit()
    changes = login(both)
    for method, path, body in [
        ("patch", "", {"role": "frontdesk", "phone": "13700001111"}),
        ("patch", "", {"property_ids": [world.b.prop.id], "department_id": None}),
        ("patch", "", {"property_ids": [world.a.prop.id, world.b.prop.id]}),
        ("patch", "", {"department_id": world.a.department.id}),
    ]:
        resp = getattr(changes, method)(f"/api/v1/users/{dual.id}{path}", json=body)
        assert resp.status_code == 200, resp.get_json()

    def reads(client):
        responses = [
            client.get("/api/v1/users"),
            client.get(f"/api/v1/users/{dual.id}"),
            client.get("/api/v1/audit"),
        ]
        return [r.get_json() for r in responses if r.status_code == 200]

    assert sum(_leaks(body, world.a) for body in reads(changes)) > 0  # the count sees A
    shown = reads(login(world.b.users[role]))
    assert len(shown) == {"admin": 3, "supervisor": 2, "frontdesk": 2}.get(role, 0)
    assert sum(_leaks(body, world.a) for body in shown) == 0
