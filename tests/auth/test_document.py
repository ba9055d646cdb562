"""Users and tokens answer what the OpenAPI document says: never logged in, never used, nulls."""

from __future__ import annotations

from app.extensions import db
from tests.openapi import assert_documented


def test_a_user_who_never_logged_in_matches_the_document(app, world, login):
    world.a.prop.name_en = None
    world.a.department.name_en = None
    db.session.commit()
    admin = login(world.a.users["admin"])
    staff = world.a.users["staff"]
    body = assert_documented(
        app, "get", "/api/v1/users/{obj_id}", admin.get(f"/api/v1/users/{staff.id}")
    )
    assert body["last_login_at"] is None
    assert body["properties"][0]["name_en"] is None and body["department"]["name_en"] is None
    assert_documented(app, "get", "/api/v1/users", admin.get("/api/v1/users"))
    assert_documented(app, "get", "/api/v1/me", admin.get("/api/v1/me"))


def test_an_unused_token_matches_the_document(app, world, login):
    admin = login(world.a.users["admin"])
    issued = admin.post("/api/v1/auth/tokens", json={"name": "nightly"})
    assert_documented(app, "post", "/api/v1/auth/tokens", issued)
    listed = assert_documented(app, "get", "/api/v1/auth/tokens", admin.get("/api/v1/auth/tokens"))
    assert listed[0]["last_used_at"] is None
