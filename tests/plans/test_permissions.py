"""Who may plan: supervisors and admins write; everyone granted reads; other properties 404."""

from __future__ import annotations

import pytest

from app.auth.models import ROLES
from app.extensions import db
from tests.plans.conftest import MON, NOW0
from tests.plans.helpers import make_plan

PLANNERS = {"supervisor", "admin"}


def _body(site):
    return {
        "property_id": site.prop.id,
        "name_zh": "巡查",
        "zone_id": site.zone.id,
        "frequency": "weekly",
        "assignee_role": "assistant",
    }


@pytest.mark.parametrize("role", sorted(ROLES))
def test_who_may_create_and_edit_plans(site, login, role):
    plan = make_plan(
        site.users["supervisor"],
        NOW0,
        property_id=site.prop.id,
        zone_id=site.zone.id,
        frequency="weekly",
        assignee_role="assistant",
        starts_on=MON,
    )
    db.session.commit()
    client = login(site.users[role])
    expected = 201 if role in PLANNERS else 403
    assert client.post("/api/v1/plans", json=_body(site)).status_code == expected
    edit = client.patch(f"/api/v1/plans/{plan.id}", json={"name_zh": f"{role} 改"})
    assert edit.status_code == (200 if role in PLANNERS else 403)
    assert client.get(f"/api/v1/plans/{plan.id}").status_code == 200


def test_another_propertys_plans_and_slots_are_not_found(world, site, login):
    plan = make_plan(
        site.users["supervisor"],
        NOW0,
        property_id=site.prop.id,
        zone_id=site.zone.id,
        frequency="weekly",
        assignee_role="assistant",
        starts_on=MON,
    )
    db.session.commit()
    other = login(world.b.users["supervisor"])
    assert other.get(f"/api/v1/plans/{plan.id}").status_code == 404
    assert other.patch(f"/api/v1/plans/{plan.id}", json={"paused": True}).status_code == 404
    assert other.get("/api/v1/plans").get_json()["total"] == 0
    assert other.get(f"/api/v1/slots?property_id={site.prop.id}").get_json()["total"] == 0
    resp = other.post("/api/v1/plans", json=_body(site))
    assert resp.status_code == 404 and "property_id" in resp.get_json()["errors"]
