"""Reading photos: only users granted the photo's property see it, its bytes are cacheable."""

from __future__ import annotations

import pytest

from app.auth.models import ROLES
from tests.photos.helpers import corpus, post_photo

PATHS = ("/api/v1/photos/{id}", "/api/v1/photos/{id}/display", "/api/v1/photos/{id}/thumb")


@pytest.fixture
def photo(assistant_a) -> dict:
    """Upload a photo at property A and return its JSON."""
    resp = post_photo(assistant_a, corpus("exif_gps.jpg"))
    assert resp.status_code == 201
    return resp.get_json()


def test_photo_json_has_the_public_fields(photo):
    assert set(photo) == {
        "id", "client_uuid", "property_id", "width", "height", "display_width", "display_height",
        "sha256", "taken_at", "content_type", "original_bytes", "display_bytes", "thumb_bytes",
        "created_at", "display_url", "thumb_url",
    }  # fmt: skip
    assert photo["display_url"] == f"/api/v1/photos/{photo['id']}/display"
    assert photo["thumb_url"] == f"/api/v1/photos/{photo['id']}/thumb"


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("path", PATHS)
def test_everyone_at_the_property_may_read(world, login, photo, role, path):
    resp = login(world.a.users[role]).get(path.format(id=photo["id"]))
    assert resp.status_code == 200


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("path", PATHS)
def test_another_property_gets_404(world, login, photo, role, path):
    resp = login(world.b.users[role]).get(path.format(id=photo["id"]))
    assert resp.status_code == 404
    assert resp.mimetype == "application/problem+json"


@pytest.mark.parametrize("path", PATHS)
def test_anonymous_gets_401(client, photo, path):
    assert client.get(path.format(id=photo["id"])).status_code == 401


@pytest.mark.parametrize("path", PATHS)
def test_unknown_photo_is_404(assistant_a, path):
    assert assistant_a.get(path.format(id=999_999)).status_code == 404


def test_metadata_matches_the_upload(assistant_a, photo):
    assert assistant_a.get(f"/api/v1/photos/{photo['id']}").get_json() == photo


@pytest.mark.parametrize("variant", ["display", "thumb"])
def test_bytes_are_cacheable_and_revalidate(assistant_a, photo, variant):
    resp = assistant_a.get(photo[f"{variant}_url"])
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "image/jpeg"
    assert resp.headers["Content-Length"] == str(photo[f"{variant}_bytes"])
    cache = resp.headers["Cache-Control"]
    assert "private" in cache and "max-age=31536000" in cache
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    etag = resp.headers["ETag"]
    assert photo["sha256"] in etag
    again = assistant_a.get(photo[f"{variant}_url"], headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


def test_display_and_thumb_have_different_etags(assistant_a, photo):
    tags = {assistant_a.get(photo[f"{v}_url"]).headers["ETag"] for v in ("display", "thumb")}
    assert len(tags) == 2


def test_missing_file_is_a_404_not_a_500(assistant_a, photo, photo_dir):
    for path in photo_dir.rglob("*-display.jpg"):
        path.unlink()
    assert assistant_a.get(photo["display_url"]).status_code == 404


def test_openapi_documents_the_photo_routes(client):
    spec = client.get("/api/openapi.json").get_json()
    upload = spec["paths"]["/api/v1/photos"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert "parameters" not in upload
    assert {"200", "201"} <= set(upload["responses"])
    fields = spec["components"]["schemas"][form["$ref"].rsplit("/", 1)[1]]["properties"]
    assert set(fields) == {"file", "client_uuid", "property_id", "file_modified_at"}  # one body
    display = spec["paths"]["/api/v1/photos/{photo_id}/display"]["get"]
    assert "image/jpeg" in display["responses"]["200"]["content"]
