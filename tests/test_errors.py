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


# Bad input that used to reach the database (and come back as a 500, mostly on PostgreSQL).

TOO_BIG = [2**31, 2**63, 10**20, 1249007346623368134656]


@pytest.mark.parametrize("number", TOO_BIG)
def test_an_id_too_big_for_the_database_in_a_path_is_404(admin, number):
    _assert_problem(admin.get(f"/api/v1/inspections/{number}"), 404)
    _assert_problem(admin.get(f"/api/v1/zones/{number}"), 404)


@pytest.mark.parametrize("number", [2**31, -1, "abc"])
@pytest.mark.parametrize("method", ["patch", "delete", "post", "put"])
def test_any_method_on_an_api_path_no_route_matches_is_404(admin, number, method):
    # Not 405: the web app's GET-only catch-all never answers under /api/.
    _assert_problem(getattr(admin, method)(f"/api/v1/zones/{number}", json={}), 404)
    _assert_problem(getattr(admin, method)("/api/v1/no-such-thing", json={}), 404)


def test_a_wrong_method_on_an_api_route_is_405_naming_the_allowed(admin):
    resp = admin.put("/api/v1/zones/1", json={})
    _assert_problem(resp, 405)
    assert set(resp.headers["Allow"].split(", ")) >= {"GET", "PATCH", "DELETE"}


@pytest.mark.parametrize(
    "query,field",
    [
        ("checkpoint_id=2147483648", "query.checkpoint_id"),
        ("property_id=-2147483649", "query.property_id"),
        ("page=1249007346623368134656", "query.page"),
        ("page=2147483648", "query.page"),
    ],
)
def test_an_integer_too_big_in_a_query_is_named(admin, query, field):
    body = _assert_problem(admin.get(f"/api/v1/inspections?{query}"), 422)
    assert list(body["errors"]) == [field]


def test_the_largest_database_integer_is_fine(admin):
    _assert_problem(admin.get("/api/v1/inspections/2147483647"), 404)
    assert admin.get("/api/v1/inspections?checkpoint_id=2147483647").status_code == 200


@pytest.mark.parametrize("number", [*TOO_BIG, 1e20, -(2**31) - 1])
def test_an_integer_too_big_in_a_body_is_named(admin, world, number):
    before = _zone_count()
    body = _assert_problem(
        admin.post(
            "/api/v1/zones", json={"property_id": number, "kind": "building", "name_zh": "C幢"}
        ),
        422,
    )
    assert list(body["errors"]) == ["property_id"]
    assert _zone_count() == before


@pytest.mark.parametrize("text", ["\x00", "C\x00幢", "坏\x01区", "a\x1fb", "\x7f"])
def test_control_characters_in_a_name_are_refused(admin, world, text):
    before = _zone_count()
    body = _assert_problem(
        admin.post(
            "/api/v1/zones",
            json={"property_id": world.a.prop.id, "kind": "building", "name_zh": text},
        ),
        422,
    )
    assert list(body["errors"]) == ["name_zh"]
    assert _zone_count() == before


def test_tabs_and_line_breaks_in_text_are_fine(admin, world):
    resp = admin.post(
        "/api/v1/zones",
        json={"property_id": world.a.prop.id, "kind": "building", "name_zh": "C\t幢\r\n二"},
    )
    assert resp.status_code == 201, resp.get_json()


@pytest.mark.parametrize("q", ["%00", "a%00b", "%01", "%1F"])
def test_a_control_character_in_a_query_is_named(admin, q):
    body = _assert_problem(admin.get(f"/api/v1/zones?q={q}"), 422)
    assert list(body["errors"]) == ["query.q"]


def test_a_nul_in_the_login_username_is_named(client, world):
    resp = client.post("/api/v1/auth/login", json={"username": "admin\x00", "password": "whatever"})
    body = _assert_problem(resp, 422)
    assert list(body["errors"]) == ["username"]


@pytest.mark.parametrize(
    "path", ["/api/v1/checkpoints/by-code/A%00", "/c/A%00", "/api/v1/no%00such", "/x%00.js"]
)
def test_a_control_character_in_a_path_is_404(admin, path):
    assert admin.get(path).status_code == 404


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_deeply_nested_json_is_400(admin, opening):
    resp = admin.post("/api/v1/zones", data=opening * 100_000, content_type="application/json")
    body = _assert_problem(resp, 400)
    assert "nested" in body["detail_en"]


def test_brackets_inside_strings_do_not_count_as_nesting(admin, world):
    resp = admin.post(
        "/api/v1/zones",
        json={"property_id": world.a.prop.id, "kind": "building", "name_zh": '"\\' + "[" * 80},
    )
    assert resp.status_code == 201, resp.get_json()


def test_nesting_just_within_the_limit_is_parsed(admin):
    from app.common.http import MAX_JSON_DEPTH

    data = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    resp = admin.post("/api/v1/zones", data=data, content_type="application/json")
    assert resp.status_code in (400, 422)
    assert "nested" not in resp.get_json()["detail_en"]


LONG_AGO = "0001-01-01T00:00:00%2B14:00"
FAR_AHEAD = "9999-12-31T23:59:59-14:00"


@pytest.mark.parametrize(
    "url,field",
    [
        (f"/api/v1/inspections?from={LONG_AGO}", "query.from"),
        (f"/api/v1/inspections?to={FAR_AHEAD}", "query.to"),
        (f"/api/v1/tickets?created_from={LONG_AGO}", "query.created_from"),
        (f"/api/v1/tickets?closed_to={FAR_AHEAD}", "query.closed_to"),
        (
            "/api/v1/coverage/report.xlsx?property_id={p}&from=9999-12-30&to=9999-12-31",
            "query.from",
        ),
    ],
)
def test_a_time_at_the_edge_of_the_calendar_is_named(admin, world, url, field):
    body = _assert_problem(admin.get(url.format(p=world.a.prop.id)), 422)
    assert field in body["errors"]


def test_the_document_describes_every_error_answer_as_problem_json(client, admin, world):
    from app.errors import ProblemDetailsSchema

    spec = client.get("/api/openapi.json").get_json()
    for name in ("DEFAULT_ERROR", "UNPROCESSABLE_ENTITY"):
        content = spec["components"]["responses"][name]["content"]
        assert list(content) == [PROBLEM]
        assert content[PROBLEM]["schema"] == {"$ref": "#/components/schemas/ProblemDetails"}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method != "parameters":
                assert "default" in operation["responses"], f"{method} {path}"
    refused = admin.post("/api/v1/zones", json={"property_id": world.a.prop.id, "kind": "x"})
    conflict = admin.post(
        "/api/v1/properties", json={"code": world.a.prop.code, "name": "同名", "timezone": "UTC"}
    )
    for resp in (refused, conflict, admin.get("/api/v1/zones/999999")):
        assert resp.status_code >= 400
        assert ProblemDetailsSchema().validate(resp.get_json()) == {}


def test_the_document_says_integers_are_32_bit(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["components"]["schemas"]["Zone"]["properties"]["property_id"]["format"] == "int32"
    page = next(
        p for p in spec["paths"]["/api/v1/zones"]["get"]["parameters"] if p["name"] == "page"
    )
    assert page["schema"]["format"] == "int32"
