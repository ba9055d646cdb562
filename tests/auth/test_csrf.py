"""A session cookie authorises nothing that another site asks for (CSRF), multipart included."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.places.models import Zone
from tests.factories import PASSWORD
from tests.imports.test_routes import USER_HEADER, upload, xlsx

EVIL = "http://evil.example"


def _zones() -> int:
    return db.session.scalar(select(func.count()).select_from(Zone))


@pytest.fixture
def admin(world, login):
    return login(world.a.users["admin"])


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EVIL},
        {"Sec-Fetch-Site": "cross-site", "Origin": EVIL},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "null"},
    ],
)
def test_a_cross_site_request_with_the_cookie_is_refused_and_changes_nothing(admin, world, headers):
    before = _zones()
    resp = admin.post(
        "/api/v1/zones",
        json={"property_id": world.a.prop.id, "name_zh": "恶意区", "kind": "building"},
        headers=headers,
    )
    assert resp.status_code == 403, resp.get_json()
    assert "another site" in resp.get_json()["detail_en"]
    assert _zones() == before


def test_a_cross_site_multipart_import_creates_no_admin(admin, world):
    sheet = xlsx(USER_HEADER, [["mallory", "黑客", "", "管理员", "", "evil-pass-123", ""]])
    admin.environ_base["HTTP_ORIGIN"] = EVIL
    resp = upload(admin, "users", world.a.prop.id, sheet, commit=True)
    assert resp.status_code == 403
    assert db.session.scalar(select(User).where(User.username == "mallory")) is None


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
        {"Origin": "http://localhost"},  # the test client's own host
        {"Origin": "https://patrol.example.com"},  # PUBLIC_BASE_URL, behind a proxy
        {},  # curl and scripts send neither header
    ],
)
def test_the_app_itself_and_scripts_still_write(admin, world, headers):
    resp = admin.post(
        "/api/v1/zones",
        json={"property_id": world.a.prop.id, "name_zh": "新区", "kind": "building"},
        headers=headers,
    )
    assert resp.status_code == 201, resp.get_json()


def test_a_bearer_token_is_not_a_cookie_and_is_not_checked(app, world):
    script = app.test_client()
    made = script.post(
        "/api/v1/auth/tokens",
        json={"username": world.a.users["admin"].username, "password": PASSWORD},
    )
    assert made.status_code == 201, made.get_json()
    resp = script.post(
        "/api/v1/zones",
        json={"property_id": world.a.prop.id, "name_zh": "脚本区", "kind": "building"},
        headers={"Authorization": f"Bearer {made.get_json()['token']}", "Origin": EVIL},
    )
    assert resp.status_code == 201, resp.get_json()
