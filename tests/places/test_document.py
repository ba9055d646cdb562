"""Places answer what the OpenAPI document says: no English names, no unit, are nulls."""

from __future__ import annotations

from app.extensions import db
from tests import factories
from tests.openapi import assert_documented


def test_a_checkpoint_without_unit_or_english_names_matches_the_document(app, world, login):
    zone = factories.zone(world.a.prop, name_en=None)
    checkpoint = factories.checkpoint(zone, name_en=None)
    db.session.commit()
    admin = login(world.a.users["admin"])
    resp = admin.get(f"/api/v1/checkpoints/{checkpoint.id}")
    body = assert_documented(app, "get", "/api/v1/checkpoints/{obj_id}", resp)
    assert body["unit_id"] is None and body["zone"]["name_en"] is None
    resp = admin.get(f"/api/v1/checkpoints?zone_id={zone.id}")
    assert_documented(app, "get", "/api/v1/checkpoints", resp)
    resp = admin.post(f"/api/v1/checkpoints/{checkpoint.id}/reissue-code")
    assert_documented(app, "post", "/api/v1/checkpoints/{obj_id}/reissue-code", resp)
