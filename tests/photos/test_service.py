"""Photo rules called by other modules, and what happens when storing goes wrong."""

from __future__ import annotations

import re

import pytest

from app.errors import Invalid
from app.extensions import db
from app.photos import service
from app.photos.models import Photo
from app.photos.storage import LocalStorage
from app.places.models import Property
from tests.photos.helpers import corpus, photo_count, post_photo, stored_files


@pytest.fixture
def photo_ids(assistant_a) -> list[int]:
    """Upload three photos as property A's assistant and return their ids."""
    ids = []
    for _ in range(3):
        resp = post_photo(assistant_a, corpus("exif_gps.jpg"))
        assert resp.status_code == 201
        ids.append(resp.get_json()["id"])
    return ids


def test_owned_photos_come_back_in_the_order_given(world, photo_ids):
    order = [photo_ids[2], photo_ids[0], photo_ids[1]]
    photos = service.get_owned_photos(order, world.a.users["assistant"], world.a.prop.id, "f")
    assert [p.id for p in photos] == order
    assert service.get_owned_photos([], world.a.users["assistant"], world.a.prop.id, "f") == []


def _refused(ids, user, property_id) -> Invalid:
    with pytest.raises(Invalid) as exc:
        service.get_owned_photos(ids, user, property_id, "results.0.photo_ids")
    assert exc.value.status == 422
    assert list(exc.value.errors) == ["results.0.photo_ids"]
    return exc.value


def test_listing_a_photo_twice_is_refused(world, photo_ids):
    _refused(
        [photo_ids[0], photo_ids[1], photo_ids[0]], world.a.users["assistant"], world.a.prop.id
    )


def test_unknown_photo_is_refused(world, photo_ids):
    _refused([photo_ids[0], 999_999], world.a.users["assistant"], world.a.prop.id)


def test_someone_elses_photo_is_refused(world, photo_ids):
    _refused([photo_ids[0]], world.a.users["inspector"], world.a.prop.id)


def test_photo_of_another_property_is_refused(world, photo_ids):
    user = world.a.users["assistant"]
    user.properties.append(world.b.prop)
    db.session.commit()
    _refused([photo_ids[0]], user, world.b.prop.id)


def test_lost_race_returns_the_stored_photo(assistant_a, photo_dir, monkeypatch):
    # Two uploads both saw no row; the second one's INSERT hits the unique client_uuid.
    key = "2c7d9a1e-6b8f-4e3a-9c2d-1f0e8b7a6c5d"
    first = post_photo(assistant_a, corpus("exif_gps.jpg"), client_uuid=key).get_json()
    real_find = service._find_upload
    calls = []

    def find_too_early(client_uuid, user):
        calls.append(client_uuid)
        return None if len(calls) == 1 else real_find(client_uuid, user)

    monkeypatch.setattr(service, "_find_upload", find_too_early)
    resp = post_photo(assistant_a, corpus("exif_gps.jpg"), client_uuid=key)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json() == first
    assert len(calls) == 2
    assert photo_count() == 1
    assert len(stored_files(photo_dir)) == 2  # the loser's copies were removed


def test_failed_insert_removes_the_written_files(assistant_a, photo_dir, monkeypatch):
    ghost = Property(id=987_654, company_id=1, code="GHOST", name="ghost", timezone="UTC")
    monkeypatch.setattr(service, "_upload_property", lambda user, property_id: ghost)
    resp = post_photo(assistant_a, corpus("exif_gps.jpg"))
    assert resp.status_code == 500  # a foreign key violation, as any other database failure
    db.session.rollback()
    assert photo_count() == 0
    assert stored_files(photo_dir) == []


def test_failed_file_write_leaves_nothing(assistant_a, photo_dir, monkeypatch):
    real_put = LocalStorage.put

    def put_display_only(self, key, data, content_type):
        if key.endswith("-thumb.jpg"):
            raise OSError("disk full")
        real_put(self, key, data, content_type)

    monkeypatch.setattr(LocalStorage, "put", put_display_only)
    resp = post_photo(assistant_a, corpus("exif_gps.jpg"))
    assert resp.status_code == 500
    assert photo_count() == 0
    assert stored_files(photo_dir) == []


def test_photo_rows_point_at_random_keys(photo_ids):
    photos = [db.session.get(Photo, i) for i in photo_ids]
    tokens = set()
    for photo in photos:
        for key, variant in ((photo.display_key, "display"), (photo.thumb_key, "thumb")):
            match = re.fullmatch(r"([0-9a-f]{2})/([0-9a-f]{32})-(display|thumb)\.jpg", key)
            assert match and match[2].startswith(match[1]) and match[3] == variant
            tokens.add(match[2])
    assert len(tokens) == len(photos)  # one fresh token per photo, shared by its two copies
