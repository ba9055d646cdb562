"""The security headers: on every kind of response, and HSTS only in production over HTTPS."""

from __future__ import annotations

import pytest

from app import create_app
from app.common.security import CSP, CSP_DIRECTIVES
from app.config import Config, ProductionConfig, TestConfig

EXPECTED = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()",
}


def _assert_secured(resp) -> None:
    for name, value in EXPECTED.items():
        assert resp.headers.get(name) == value, name
    assert "Strict-Transport-Security" not in resp.headers


def test_the_policy_allows_no_inline_code_and_no_framing():
    assert CSP_DIRECTIVES["script-src"] == "'self'"
    assert CSP_DIRECTIVES["style-src"] == "'self'"
    assert "unsafe" not in CSP
    assert "http" not in CSP  # nothing from another host, no CDN
    assert "frame-ancestors 'none'" in CSP
    assert "object-src 'none'" in CSP


@pytest.mark.parametrize(
    ("path", "status", "mimetype"),
    [
        ("/api/v1/vocab", 200, "application/json"),
        ("/api/v1/me", 401, "application/problem+json"),
        ("/api/v1/nosuch", 404, "application/problem+json"),
        ("/api/openapi.json", 200, "application/json"),
        ("/api/docs", 200, "text/html"),
        ("/api/docs/static/swagger-ui-bundle.js", 200, "text/javascript"),
        ("/static/docs.js", 200, "text/javascript"),
        ("/static/page.css", 200, "text/css"),
        ("/c/NOSUCH", 404, "text/html"),
    ],
)
def test_every_kind_of_response_carries_the_headers(client, path, status, mimetype):
    resp = client.get(path)
    assert resp.status_code == status
    assert resp.mimetype == mimetype
    _assert_secured(resp)
    resp.close()


def test_an_unsafe_method_refused_carries_the_headers(client):
    resp = client.delete("/api/v1/vocab")
    assert resp.status_code == 405
    _assert_secured(resp)


def test_a_crash_carries_the_headers(app, client, monkeypatch):
    from app.places import routes

    def boom(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setattr(routes, "_entries", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        resp = client.get("/api/v1/vocab")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert resp.status_code == 500
    assert resp.mimetype == "application/problem+json"
    _assert_secured(resp)


def test_the_api_docs_page_has_no_inline_script(client):
    html = client.get("/api/docs").get_data(as_text=True)
    assert html.count("<script") == html.count("<script src=") == 3
    assert "<style" not in html and "style=" not in html
    assert 'data-spec-url="/api/openapi.json"' in html
    assert "validatorUrl" in html  # the docs never send our spec to validator.swagger.io


def test_the_label_pages_style_is_a_file(client):
    html = client.get("/c/NOSUCH").get_data(as_text=True)
    assert "<style" not in html and "<script" not in html
    assert '<link rel="stylesheet" href="/static/page.css">' in html


def _app(tmp_path, config, **overrides):
    return create_app(
        config,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/hsts.db",
        INSTANCE_DIR=str(tmp_path),
        SECRET_KEY="hsts-test",
        **overrides,
    )


def test_production_over_https_sends_hsts(tmp_path):
    app = _app(tmp_path, ProductionConfig, PUBLIC_BASE_URL="https://patrol.example.com")
    resp = app.test_client().get("/static/page.css")
    assert resp.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert resp.headers["Content-Security-Policy"] == CSP
    resp.close()


@pytest.mark.parametrize(
    ("config", "overrides"),
    [
        (ProductionConfig, {"PUBLIC_BASE_URL": "http://192.168.1.20:5000"}),  # a plain-http trial
        (ProductionConfig, {"PUBLIC_BASE_URL": "https://x.example", "SECURITY_HSTS_SECONDS": 0}),
        (Config, {"PUBLIC_BASE_URL": "https://patrol.example.com"}),  # development
        (TestConfig, {"PUBLIC_BASE_URL": "https://patrol.example.com"}),
    ],
)
def test_no_hsts_outside_production_over_https(tmp_path, config, overrides):
    app = _app(tmp_path, config, **overrides)
    resp = app.test_client().get("/static/page.css")
    assert "Strict-Transport-Security" not in resp.headers
    resp.close()
