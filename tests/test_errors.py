"""Every error under /api is one problem+json shape that names the offending field."""

from __future__ import annotations

import pytest

from app.places.models import Zone

PROBLEM = "application/problem+json"


@pytest.fixture
def admin(world, login):
    return login(world.a.users["admin"])


def _zone_count() -> int:
    from app.extensions import db

    return db.session.query(Zone).count()


def _assert_problem(resp, status: int) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    body = resp.get_json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    assert body["detail_zh"] and body["detail_en"]
    return body


def test_missing_field_is_named(admin, world):
    before = _zone_count()
    body = _assert_problem(
        admin.post("/api/v1/zones", json={"property_id": world.a.prop.id, "kind": "building"}), 422
    )
    assert list(body["errors"]) == ["name_zh"]
    assert _zone_count() == before


def test_wrong_type_is_named(admin, world):
    body = _assert_problem(
        admin.post(
            "/api/v1/zones", json={"property_id": "first", "kind": "building", "name_zh": "C幢"}
        ),
        422,
    )
    assert "property_id" in body["errors"]


def test_unknown_field_is_named(admin, world):
    body = _assert_problem(
        admin.post(
            "/api/v1/zones",
            json={
                "property_id": world.a.prop.id,
                "kind": "building",
                "name_zh": "C幢",
                "colour": "red",
            },
        ),
        422,
    )
    assert list(body["errors"]) == ["colour"]


def test_bad_vocabulary_code_is_named(admin, world):
    body = _assert_problem(
        admin.post(
            "/api/v1/zones",
            json={"property_id": world.a.prop.id, "kind": "castle", "name_zh": "C幢"},
        ),
        422,
    )
    assert list(body["errors"]) == ["kind"]


def test_blank_required_text_is_refused(admin, world):
    body = _assert_problem(
        admin.post(
            "/api/v1/zones",
            json={"property_id": world.a.prop.id, "kind": "building", "name_zh": "   "},
        ),
        422,
    )
    assert "name_zh" in body["errors"]


def test_nested_item_errors_have_a_path(admin, world):
    body = _assert_problem(
        admin.post(
            "/api/v1/checklists",
            json={
                "property_id": world.a.prop.id,
                "kind": "shop",
                "name_zh": "商铺",
                "items": [
                    {"text_zh": "ok", "category": "cleaning"},
                    {"text_zh": "bad", "category": "nope"},
                ],
            },
        ),
        422,
    )
    assert list(body["errors"]) == ["items.1.category"]


def test_bad_json_is_400(admin):
    resp = admin.post("/api/v1/zones", data="{not json", content_type="application/json")
    body = _assert_problem(resp, 400)
    assert "JSON" in body["detail_en"]


def test_json_array_instead_of_object_is_refused(admin):
    resp = admin.post("/api/v1/zones", json=[1, 2, 3])
    assert resp.status_code in (400, 422)
    assert resp.mimetype == PROBLEM


def test_oversized_body_is_413(admin, world, app):
    big = "x" * (app.config["MAX_JSON_BYTES"] + 10)
    before = _zone_count()
    resp = admin.post(
        "/api/v1/zones", json={"property_id": world.a.prop.id, "kind": "building", "name_zh": big}
    )
    _assert_problem(resp, 413)
    assert _zone_count() == before


def test_duplicate_is_409_naming_field(admin, world):
    body = _assert_problem(
        admin.post(
            "/api/v1/zones",
            json={
                "property_id": world.a.prop.id,
                "kind": "building",
                "name_zh": world.a.zone.name_zh,
            },
        ),
        409,
    )
    assert list(body["errors"]) == ["name_zh"]


def test_unknown_api_route_is_problem_json(admin):
    _assert_problem(admin.get("/api/v1/no-such-thing"), 404)


def test_wrong_method_is_405_problem(admin):
    body = _assert_problem(admin.delete("/api/v1/properties"), 405)
    assert body["code"] == "http_405"


def test_bad_query_parameter_is_named(admin):
    body = _assert_problem(admin.get("/api/v1/zones?per_page=100000"), 422)
    assert list(body["errors"]) == ["query.per_page"]


def test_english_detail_when_asked(admin):
    resp = admin.get("/api/v1/zones/999999", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert resp.get_json()["detail"] == resp.get_json()["detail_en"]
    resp = admin.get("/api/v1/zones/999999", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert resp.get_json()["detail"] == resp.get_json()["detail_zh"]


def test_crash_is_500_without_stack_trace(app, admin, monkeypatch):
    from app.places import service

    def boom(*_a, **_k):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(service, "list_properties", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        resp = admin.get("/api/v1/properties")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    body = _assert_problem(resp, 500)
    assert "secret internals" not in resp.get_data(as_text=True)
    assert "Traceback" not in resp.get_data(as_text=True)
    assert body["code"] == "internal"
