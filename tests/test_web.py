"""Pages outside the JSON API: the label landing page and the API documentation."""

from __future__ import annotations

from app.extensions import db


def test_label_url_opens_checkpoint_page(client, world):
    resp = client.get(f"/c/{world.a.checkpoint.code}")
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    assert world.a.checkpoint.name_zh in resp.get_data(as_text=True)


def test_unknown_label_is_a_clear_page_not_a_500(client, world):
    resp = client.get("/c/NOSUCH")
    assert resp.status_code == 404
    text = resp.get_data(as_text=True)
    assert "未知的点位标签" in text and "Unknown checkpoint label" in text


def test_retired_label_says_so(client, world):
    world.a.checkpoint.active = False
    db.session.commit()
    resp = client.get(f"/c/{world.a.checkpoint.code}")
    assert resp.status_code == 410
    assert "此点位已停用" in resp.get_data(as_text=True)


def test_openapi_document_lists_the_public_routes(client):
    resp = client.get("/api/openapi.json")
    assert resp.status_code == 200
    spec = resp.get_json()
    paths = spec["paths"]
    for path in (
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/me",
        "/api/v1/auth/tokens",
        "/api/v1/checkpoints/by-code/{code}",
        "/api/v1/properties",
        "/api/v1/zones",
        "/api/v1/checkpoints",
        "/api/v1/units",
        "/api/v1/departments",
        "/api/v1/routing-rules",
        "/api/v1/checklists",
        "/api/v1/users",
    ):
        assert path in paths, path
    login_body = paths["/api/v1/auth/login"]["post"]["requestBody"]
    assert "Login" in str(login_body)


def test_api_docs_ui_is_served_locally(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "swagger" in page.get_data(as_text=True).lower()
    asset = client.get("/api/docs/static/swagger-ui-bundle.js")
    assert asset.status_code == 200
    asset.close()
