"""The demo property (flask seed demo): what a new user finds after loading it."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.auth.models import User
from app.checklists.models import ANSWER_TYPES, SEVERITIES, ChecklistTemplate
from app.extensions import db
from app.places.models import (
    CATEGORIES,
    CHECKPOINT_KINDS,
    UNIT_STATUSES,
    Checkpoint,
    Company,
    Department,
    Property,
    RetiredCode,
    RoutingRule,
    Unit,
    Zone,
)
from app.places.service import CODE_ALPHABET
from seed.loader import check_demo, derive_code, expand_checkpoints, load_demo, read_demo
from tests import factories

DEMO_PASSWORD = "demo-pass-123"
USERS = {
    "admin": "admin",
    "supervisor": "supervisor",
    "frontdesk": "frontdesk",
    "assistant": "assistant",
    "assistant2": "assistant",
    "inspector": "inspector",
    "engineer": "staff",
    "cleaner": "staff",
    "guard": "staff",
}
EXPECTED = {
    "companies": 1,
    "properties": 1,
    "zones": 6,
    "checkpoints": 126,
    "units": 36,
    "departments": 6,
    "routing_rules": 15,
    "checklists": 15,
    "checklist_versions": 15,
    "users": 9,
}
# Printed labels depend on this: the code of "CH:A:stairwell:5" must never change.
A5_STAIRWELL_KEY, A5_STAIRWELL_CODE = "CH:A:stairwell:5", "EDMNRB"


@pytest.fixture
def demo(app: Flask) -> dict[str, int]:
    """Load the demo and commit, as `flask seed demo` does."""
    counts = load_demo(DEMO_PASSWORD)
    db.session.commit()
    return counts


def _count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _snapshot() -> dict[str, list[tuple]]:
    """Return every row of every table, in primary-key order."""
    return {
        table.name: [
            tuple(row)
            for row in db.session.execute(select(table).order_by(*table.primary_key.columns))
        ]
        for table in db.metadata.sorted_tables
    }


def _login(app: Flask, username: str, password: str = DEMO_PASSWORD):
    c = app.test_client()
    resp = c.post("/api/v1/auth/login", json={"username": username, "password": password})
    return c, resp


def test_loading_creates_the_demo_and_reports_what_it_created(demo):
    assert demo == EXPECTED
    models = {
        "companies": Company,
        "properties": Property,
        "zones": Zone,
        "checkpoints": Checkpoint,
        "units": Unit,
        "departments": Department,
        "routing_rules": RoutingRule,
        "checklists": ChecklistTemplate,
        "users": User,
    }
    assert {name: _count(m) for name, m in models.items()} == {n: EXPECTED[n] for n in models}
    prop = db.session.scalar(select(Property))
    assert (prop.code, prop.name, prop.name_en, prop.timezone) == (
        "CH",
        "翠湖花园",
        "Cuihu Garden",
        "Asia/Shanghai",
    )
    assert prop.company.name == "示范物业服务有限公司"


def test_loading_again_creates_nothing_and_changes_nothing(demo):
    before = _snapshot()
    again = load_demo("another-password")
    db.session.commit()
    assert again == dict.fromkeys(EXPECTED, 0)
    assert _snapshot() == before


def test_loading_again_keeps_existing_passwords(demo, app):
    load_demo("another-password")
    db.session.commit()
    assert _login(app, "assistant")[1].status_code == 200
    assert _login(app, "assistant", "another-password")[1].status_code == 401


def test_loader_leaves_committing_to_the_caller(app):
    load_demo(DEMO_PASSWORD)
    db.session.rollback()
    assert _count(Company) == 0
    assert _count(Checkpoint) == 0


def test_every_demo_user_can_log_in_with_the_given_password(demo, app):
    for username, role in USERS.items():
        _, resp = _login(app, username)
        assert resp.status_code == 200, username
        body = resp.get_json()
        assert body["role"] == role
        assert [p["code"] for p in body["properties"]] == ["CH"]
    assert _login(app, "admin", "wrong-password")[1].status_code == 401


def test_staff_belong_to_their_departments(demo):
    staff = db.session.scalars(select(User).where(User.role == "staff"))
    assert {u.username: u.department.code for u in staff} == {
        "engineer": "ENG",
        "cleaner": "ENV",
        "guard": "SEC",
    }
    assert all(
        u.display_name and u.display_name != u.username for u in db.session.scalars(select(User))
    )


def test_assistant_scans_a_stairwell_label_and_sees_a_bilingual_checklist(demo, app):
    client, resp = _login(app, "assistant")
    assert resp.status_code == 200
    resp = client.get(f"/api/v1/checkpoints/by-code/{A5_STAIRWELL_CODE.lower()}")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["code"], body["kind"], body["name_zh"]) == (
        A5_STAIRWELL_CODE,
        "stairwell",
        "A幢 5F 楼梯间",
    )
    assert body["zone"]["name_zh"] == "A幢"
    items = body["checklist"]["items"]
    assert 3 <= len(items) <= 8
    assert all(item["text_zh"] and item["text_en"] for item in items)
    assert any("楼梯" in i["text_zh"] or "走廊" in i["text_zh"] for i in items)


def test_every_checkpoint_kind_is_used_and_has_a_checklist(demo):
    used = set(db.session.scalars(select(Checkpoint.kind).distinct()))
    assert used == set(CHECKPOINT_KINDS)
    templates = {t.kind: t for t in db.session.scalars(select(ChecklistTemplate))}
    assert set(templates) == set(CHECKPOINT_KINDS)
    for kind, template in templates.items():
        items = template.current_version.items
        assert 3 <= len(items) <= 8, kind
        assert template.name_zh and template.name_en
        for item in items:
            assert item.text_zh and item.text_en, kind
            assert item.answer_type in ANSWER_TYPES
            assert item.severity in SEVERITIES
            assert item.category in CATEGORIES
            has_range = item.min_value is not None or item.max_value is not None
            assert has_range == (item.answer_type == "number"), item.text_zh


def test_fire_extinguisher_pressure_is_a_number_in_mpa(demo):
    template = db.session.scalar(select(ChecklistTemplate).filter_by(kind="fire_equipment"))
    pressure = [i for i in template.current_version.items if i.unit == "MPa"]
    assert len(pressure) == 1
    assert pressure[0].answer_type == "number"
    assert 0 < pressure[0].min_value < pressure[0].max_value


def test_every_category_routes_to_a_department_of_the_property(demo):
    rules = list(db.session.scalars(select(RoutingRule)))
    assert {r.category for r in rules} == set(CATEGORIES)
    assert all(r.department.property_id == r.property_id for r in rules)
    routes = {r.category: r.department.code for r in rules}
    assert routes["greening"] == "GREEN"
    assert routes["legacy"] == "DEV"
    assert routes["equipment"] == "ENG"


def test_units_cover_every_status_and_sit_in_buildings(demo):
    units = list(db.session.scalars(select(Unit)))
    assert {u.status for u in units} == set(UNIT_STATUSES)
    assert {u.zone.name_zh for u in units} == {"A幢", "B幢", "E幢"}
    assert all(u.zone.kind == "building" and u.floor == int(u.number[:-2]) for u in units)
    renovating = {(u.zone.name_zh, u.number) for u in units if u.status == "renovating"}
    labelled = db.session.scalars(select(Checkpoint).filter_by(kind="renovation_unit"))
    # "A幢 301 装修单元": a renovation checkpoint for every unit under renovation.
    assert {(c.zone.name_zh, c.name_zh.split()[1]) for c in labelled} == renovating


def test_checkpoint_codes_are_unique_typeable_and_stable(demo):
    checkpoints = list(db.session.scalars(select(Checkpoint)))
    codes = [c.code for c in checkpoints]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == 6 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert derive_code(A5_STAIRWELL_KEY) == A5_STAIRWELL_CODE
    stairwell = db.session.scalar(select(Checkpoint).filter_by(code=A5_STAIRWELL_CODE))
    assert stairwell.name_zh == "A幢 5F 楼梯间"
    assert all(c.name_zh and c.name_en and c.location for c in checkpoints)


def test_derived_codes_step_past_taken_codes_deterministically():
    first = derive_code("CH:A:stairwell:5")
    second = derive_code("CH:A:stairwell:5", {first})
    assert second != first
    assert second == derive_code("CH:A:stairwell:5", {first})
    assert len(second) == 6 and set(second) <= set(CODE_ALPHABET)


def test_a_code_used_by_another_property_is_not_taken_over(app):
    other = factories.property_(code="XX")
    factories.checkpoint(factories.zone(other), code=A5_STAIRWELL_CODE)
    counts = load_demo(DEMO_PASSWORD)
    db.session.commit()
    assert counts["checkpoints"] == EXPECTED["checkpoints"]
    demo_prop = db.session.scalar(select(Property).filter_by(code="CH"))
    a5 = db.session.scalar(
        select(Checkpoint).filter_by(property_id=demo_prop.id, name_zh="A幢 5F 楼梯间")
    )
    assert a5.code == derive_code(A5_STAIRWELL_KEY, {A5_STAIRWELL_CODE})


def test_a_retired_demo_code_is_not_handed_out_again(demo):
    # The admin re-issued the A 5F stairwell label: the old code must stay dead after a re-seed.
    stairwell = db.session.scalar(select(Checkpoint).filter_by(code=A5_STAIRWELL_CODE))
    stairwell.code, stairwell.label_version = "ZZZZZ2", 2
    db.session.add(RetiredCode(code=A5_STAIRWELL_CODE, checkpoint_id=stairwell.id, label_version=1))
    db.session.commit()
    assert load_demo(DEMO_PASSWORD)["checkpoints"] == 0
    db.session.commit()
    assert db.session.scalar(select(Checkpoint).filter_by(code=A5_STAIRWELL_CODE)) is None
    assert _count(Checkpoint) == EXPECTED["checkpoints"]


def test_expanding_the_demo_is_pure_and_repeatable():
    data = read_demo()
    first = expand_checkpoints(data)
    assert first == expand_checkpoints(copy.deepcopy(data))
    assert 100 <= len(first) <= 160
    assert len({spec.key for spec in first}) == len(first)


def test_demo_data_with_an_unknown_category_is_refused():
    data = read_demo()
    data["checklists"]["shop"]["items"][0]["category"] = "plumbing"
    data["routing"]["house"] = "NOPE"
    with pytest.raises(ValueError, match="plumbing") as exc:
        check_demo(data)
    assert "NOPE" in str(exc.value)


def test_flask_seed_demo_command_loads_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "demo", "--password", "cli-pass-123"])
    assert first.exit_code == 0, first.output
    assert "checkpoints=126" in first.output
    second = runner.invoke(args=["seed", "demo", "--password", "cli-pass-123"])
    assert second.exit_code == 0, second.output
    assert "checkpoints=0" in second.output and "users=0" in second.output
    assert _count(Checkpoint) == EXPECTED["checkpoints"]


def test_renovation_labels_point_at_their_units(app):
    load_demo("patrol-demo")
    db.session.commit()
    labels = db.session.scalars(
        select(Checkpoint).where(Checkpoint.kind == "renovation_unit")
    ).all()
    assert labels and all(c.unit_id is not None for c in labels)
    for label in labels:
        unit = db.session.get(Unit, label.unit_id)
        assert unit.status == "renovating" and unit.number in label.name_zh
