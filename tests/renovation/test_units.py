"""Units: owner contact shown only to the dispatch centre, status history, building summary."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests import factories


@pytest.mark.parametrize(
    "role,full",
    [
        ("frontdesk", True),
        ("supervisor", True),
        ("assistant", False),
        ("inspector", False),
        ("staff", False),
        ("admin", False),
    ],
)
def test_owner_phone_is_masked_except_for_the_dispatch_centre(world, as_role, role, full):
    world.a.unit.owner_name, world.a.unit.owner_phone = "陈先生", "13900001111"
    db.session.commit()
    shown = as_role(role).get(f"/api/v1/units/{world.a.unit.id}").get_json()
    assert shown["owner_name"] == "陈先生"
    assert shown["owner_phone"] == ("13900001111" if full else "139****1111")
    listed = as_role(role).get("/api/v1/units").get_json()["items"][0]
    assert listed["owner_phone"] == shown["owner_phone"]


def test_status_changes_are_kept_in_history(world, as_role):
    admin = as_role("admin")
    url = f"/api/v1/units/{world.a.unit.id}"
    assert (
        admin.patch(url, json={"status": "handed_over", "status_note": "业主收楼"}).status_code
        == 200
    )
    assert admin.patch(url, json={"status": "renovating"}).status_code == 200
    assert admin.patch(url, json={"owner_name": "陈先生"}).status_code == 200  # no status change
    history = as_role("assistant").get(f"{url}/history").get_json()
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        ("not_taken", "handed_over"),
        ("handed_over", "renovating"),
    ]
    assert history[0]["note"] == "业主收楼"
    assert history[0]["changed_by_id"] == world.a.users["admin"].id
    assert as_role("assistant").get(f"/api/v1/units/{world.b.unit.id}/history").status_code == 404


def test_building_summary(world, as_role):
    building_e = factories.zone(world.a.prop, name_zh="E幢")
    for number, status in (
        ("101", "handed_over"),
        ("102", "handed_over"),
        ("201", "renovating"),
        ("202", "not_up_to_standard"),
    ):
        factories.unit(building_e, number=number, status=status)
    db.session.commit()
    rows = (
        as_role("supervisor").get(f"/api/v1/units/summary?property_id={world.a.prop.id}").get_json()
    )
    by_name = {r["name_zh"]: r for r in rows}
    assert by_name["E幢"] == {
        "zone_id": building_e.id,
        "name_zh": "E幢",
        "name_en": building_e.name_en,
        "total": 4,
        "handed_over": 2,
        "renovating": 1,
        "not_taken": 0,
        "not_up_to_standard": 1,
    }
    assert by_name[world.a.zone.name_zh]["not_taken"] == 1
    assert (
        as_role("supervisor")
        .get(f"/api/v1/units/summary?property_id={world.b.prop.id}")
        .status_code
        == 404
    )
