"""Plans, slots and hand-over notes answer what the OpenAPI document says, nulls included."""

from __future__ import annotations

from app.common.time import local_now
from tests.openapi import assert_documented


def test_a_plan_with_only_the_required_fields_and_its_slots_match_the_document(app, site, login):
    client = login(site.users["supervisor"])
    today = local_now(site.prop.timezone).date()  # the suite's chosen instant (tests/clock.py)
    resp = client.post(
        "/api/v1/plans",
        json={
            "property_id": site.prop.id,
            "name_zh": "1幢日常巡查",
            "zone_id": site.zone.id,
            "frequency": "daily",
            "start_time": "00:00",
            "end_time": "24:00",
            "assignee_role": "assistant",
            "starts_on": today.isoformat(),
        },
    )
    plan = assert_documented(app, "post", "/api/v1/plans", resp)
    assert plan["current"]["name_en"] is None and plan["current"]["checkpoint_kind"] is None
    for path in ("/api/v1/plans", "/api/v1/slots"):
        resp = client.get(f"{path}?property_id={site.prop.id}")
        assert resp.status_code == 200
        assert_documented(app, "get", path, resp)
    resp = client.get(f"/api/v1/plans/{plan['id']}")
    assert_documented(app, "get", "/api/v1/plans/{obj_id}", resp)
    slots = client.get(f"/api/v1/slots?property_id={site.prop.id}").get_json()["items"]
    assert slots and slots[0]["done_at"] is None and slots[0]["shift_id"] is None


def test_an_unacknowledged_hand_over_note_matches_the_document(app, site, login):
    client = login(site.users["assistant"])
    resp = client.post("/api/v1/handovers", json={"property_id": site.prop.id, "note": "交接"})
    note = assert_documented(app, "post", "/api/v1/handovers", resp)
    assert note["acknowledged_at"] is None and note["acknowledged_by_id"] is None
    assert_documented(app, "get", "/api/v1/handovers/mine", client.get("/api/v1/handovers/mine"))
