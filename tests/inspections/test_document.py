"""An inspection, its scan and its report answer what the OpenAPI document says, nulls included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.extensions import db
from tests.inspections.conftest import submission, upload
from tests.openapi import assert_documented


def test_items_without_english_text_or_unit_match_the_document(app, world, login):
    world.a.template.name_en = None
    for item in world.a.template.current_version.items:
        item.text_en = None
    db.session.commit()
    client = login(world.a.users["assistant"])
    code = world.a.checkpoint.code
    scan = client.get(f"/api/v1/checkpoints/by-code/{code}")
    checklist = assert_documented(app, "get", "/api/v1/checkpoints/by-code/{code}", scan)[
        "checklist"
    ]
    assert checklist["name_en"] is None
    body = submission(code, checklist["items"], fail={0: [upload(client)]})
    resp = client.post("/api/v1/inspections", json=body)
    inspection = assert_documented(app, "post", "/api/v1/inspections", resp)
    detail = login(world.a.users["supervisor"]).get(f"/api/v1/inspections/{inspection['id']}")
    body = assert_documented(app, "get", "/api/v1/inspections/{obj_id}", detail)
    assert body["results"][0]["item"]["text_en"] is None
    assert body["results"][0]["item"]["unit"] is None
    day = datetime.now(UTC).date()
    report = login(world.a.users["supervisor"]).get(
        f"/api/v1/coverage/tickets?property_id={world.a.prop.id}"
        f"&from={day - timedelta(days=1)}&to={day + timedelta(days=1)}"
    )
    figures = assert_documented(app, "get", "/api/v1/coverage/tickets", report)
    assert figures["failed_items"][0]["text_en"] is None
