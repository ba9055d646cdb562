"""Labels point at the address in use, and say so loudly when that is this machine only."""

from __future__ import annotations

import pytest

from app import trust_proxies
from tests import factories
from tests.labels.pdf import scan_pages
from tests.openapi import assert_documented

LAN = "http://192.168.1.20:5000"


@pytest.fixture
def unset(app, monkeypatch):
    """Leave PUBLIC_BASE_URL empty, as a fresh `make run` does."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")
    return app


def _login_at(app, user, base_url):
    client = app.test_client()
    resp = client.post(
        "/api/v1/auth/login",
        json={"username": user.username, "password": factories.PASSWORD},
        base_url=base_url,
    )
    assert resp.status_code == 200, resp.get_json()
    return client


def test_an_explicit_address_gives_no_warning(app, admin, world):
    resp = admin.get("/api/v1/labels/address")
    assert assert_documented(app, "GET", "/api/v1/labels/address", resp) == {
        "base_url": "https://patrol.example.com",
        "source": "config",
        "localhost": False,
        "warning": None,
    }
    pdf = admin.get("/api/v1/labels.pdf", query_string={"zone_id": world.a.zone.id})
    assert pdf.headers["X-Patrol-Label-Base-URL"] == "https://patrol.example.com"
    assert "X-Patrol-Label-Warning" not in pdf.headers


def test_labels_printed_from_localhost_carry_a_warning(unset, admin, world):
    resp = admin.get("/api/v1/labels/address")
    body = assert_documented(unset, "GET", "/api/v1/labels/address", resp)
    assert body["base_url"] == "http://localhost" and body["source"] == "request"
    assert body["localhost"] is True
    assert body["warning"]["code"] == "label_url_localhost"
    assert "须重新打印" in body["warning"]["message_zh"]
    assert "must be printed again" in body["warning"]["message_en"]

    pdf = admin.get("/api/v1/labels.pdf", query_string={"zone_id": world.a.zone.id})
    assert pdf.status_code == 200
    assert pdf.headers["X-Patrol-Label-Warning"] == "label_url_localhost"
    assert pdf.headers["X-Patrol-Label-Base-URL"] == "http://localhost"

    resp = admin.get(f"/api/v1/checkpoints/{world.a.checkpoint.id}")
    checkpoint = assert_documented(unset, "GET", "/api/v1/checkpoints/{obj_id}", resp)
    assert checkpoint["url"] == f"http://localhost/c/{world.a.checkpoint.code}"
    assert checkpoint["url_warning"]["code"] == "label_url_localhost"


def test_labels_printed_from_the_lan_address_encode_it(unset, world):
    client = _login_at(unset, world.a.users["admin"], LAN)
    body = client.get("/api/v1/labels/address", base_url=LAN).get_json()
    assert body == {"base_url": LAN, "source": "request", "localhost": False, "warning": None}

    pdf = client.get("/api/v1/labels.pdf", query_string={"zone_id": world.a.zone.id}, base_url=LAN)
    assert "X-Patrol-Label-Warning" not in pdf.headers
    decoded = [scan.text for page in scan_pages(pdf.data) for scan in page]
    assert decoded and all(text.startswith(f"{LAN}/c/") for text in decoded)

    checkpoint = client.get(f"/api/v1/checkpoints/{world.a.checkpoint.id}", base_url=LAN)
    assert checkpoint.get_json()["url"] == f"{LAN}/c/{world.a.checkpoint.code}"
    assert checkpoint.get_json()["url_warning"] is None


def test_behind_a_trusted_proxy_labels_take_its_scheme(unset, world, monkeypatch):
    monkeypatch.setitem(unset.config, "TRUSTED_PROXY_HOPS", 1)
    monkeypatch.setattr(unset, "wsgi_app", unset.wsgi_app)  # put back after the test
    trust_proxies(unset)
    base = "http://patrol.lan:8443"
    client = _login_at(unset, world.a.users["admin"], base)
    resp = client.get(
        "/api/v1/labels/address", base_url=base, headers={"X-Forwarded-Proto": "https"}
    )
    assert resp.get_json()["base_url"] == "https://patrol.lan:8443"


@pytest.mark.parametrize("role", ["assistant", "staff", "frontdesk"])
def test_only_label_printers_ask_for_the_address(login, world, role):
    resp = login(world.a.users[role]).get("/api/v1/labels/address")
    assert resp.status_code == 403
