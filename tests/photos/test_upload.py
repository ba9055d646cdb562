"""POST /api/v1/photos: real-world files, the 12 MP case, retries and races."""

from __future__ import annotations

import hashlib
import io
import threading
import uuid

import pytest
from PIL import Image, ImageChops, ImageStat

from app.extensions import db
from app.photos.models import Photo
from tests import factories
from tests.photos.helpers import (
    corpus,
    jpeg_markers,
    photo_count,
    post_photo,
    stored_files,
    twelve_mp_jpeg,
)

GOOD_CORPUS = {
    "exif_gps.jpg": "image/jpeg",
    "flower2.webp": "image/webp",
    "hopper_orientation_3.jpg": "image/jpeg",
    "hopper_orientation_6.jpg": "image/jpeg",
    "pil_sample_cmyk.jpg": "image/jpeg",
}


def _served(client, photo: dict, variant: str) -> Image.Image:
    resp = client.get(photo[f"{variant}_url"])
    assert resp.status_code == 200
    assert resp.mimetype == "image/jpeg"
    img = Image.open(io.BytesIO(resp.data))
    img.load()
    return img


@pytest.mark.parametrize(("name", "content_type"), sorted(GOOD_CORPUS.items()))
def test_corpus_photo_is_stored_with_served_copies(
    assistant_a, world, photo_dir, name, content_type
):
    data = corpus(name)
    resp = post_photo(assistant_a, data, filename=name)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["content_type"] == content_type
    assert body["property_id"] == world.a.prop.id
    assert body["original_bytes"] == len(data)
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    display = _served(assistant_a, body, "display")
    thumb = _served(assistant_a, body, "thumb")
    assert display.format == thumb.format == "JPEG"
    assert display.mode == thumb.mode == "RGB"
    assert display.size == (body["display_width"], body["display_height"])
    assert max(display.size) <= 1600 and max(thumb.size) <= 320
    assert len(stored_files(photo_dir)) == 2


def test_webp_and_cmyk_come_out_as_rgb_jpeg(assistant_a):
    for name in ("flower2.webp", "pil_sample_cmyk.jpg"):
        body = post_photo(assistant_a, corpus(name)).get_json()
        display = _served(assistant_a, body, "display")
        assert display.mode == "RGB"
        original = Image.open(io.BytesIO(corpus(name)))
        assert (body["width"], body["height"]) == original.size
        expected = original.convert("RGB").resize(display.size)
        # Within JPEG noise of Pillow's own conversion; an inverted CMYK would be ~240 off.
        assert max(ImageStat.Stat(ImageChops.difference(display, expected)).mean) < 20


def _luma(img: Image.Image, box: tuple[int, int, int, int]) -> float:
    return ImageStat.Stat(img.convert("L").crop(box)).mean[0]


@pytest.mark.parametrize("name", ["hopper_orientation_3.jpg", "hopper_orientation_6.jpg"])
def test_exif_orientation_comes_out_upright(assistant_a, name):
    body = post_photo(assistant_a, corpus(name)).get_json()
    img = _served(assistant_a, body, "display")
    w, h = img.size
    # Upright Grace Hopper: a dark uniform at the bottom, flag and sky at the top. (Which
    # quarter turn is right shows below: both files give one picture; helpers mark corners.)
    assert _luma(img, (0, h * 3 // 4, w, h)) + 25 < _luma(img, (0, 0, w, h // 4))


def test_both_orientations_give_the_same_picture(assistant_a):
    pictures = []
    for name in ("hopper_orientation_3.jpg", "hopper_orientation_6.jpg"):
        body = post_photo(assistant_a, corpus(name)).get_json()
        pictures.append(_served(assistant_a, body, "display").convert("L"))
    raw = [Image.open(io.BytesIO(corpus(n))).convert("L") for n in GOOD_CORPUS if "hopper" in n]
    same = ImageStat.Stat(ImageChops.difference(*pictures)).mean[0]
    stored_differently = ImageStat.Stat(ImageChops.difference(*raw)).mean[0]
    assert same < 12 < stored_differently


def test_served_copies_carry_no_exif_or_gps(assistant_a):
    body = post_photo(assistant_a, corpus("exif_gps.jpg")).get_json()
    for variant in ("display", "thumb"):
        data = assistant_a.get(body[f"{variant}_url"]).data
        assert 0xE1 not in jpeg_markers(data)  # no APP1: neither EXIF nor XMP
        assert b"Exif" not in data and b"GPS" not in data
        assert not Image.open(io.BytesIO(data)).getexif()
    # Its DateTimeOriginal says 2099: a clock that wrong is no capture time.
    assert body["taken_at"] is None


def test_twelve_megapixel_photo(assistant_a, photo_dir):
    data = twelve_mp_jpeg()
    resp = post_photo(assistant_a, data)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert (body["width"], body["height"]) == (4000, 3000)
    assert (body["display_width"], body["display_height"]) == (1600, 1200)
    assert body["taken_at"] == "2024-05-06T00:30:00+00:00"  # 08:30 in Asia/Shanghai
    assert body["original_bytes"] == len(data)
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["display_bytes"] < 500_000 and body["thumb_bytes"] < 40_000
    thumb = _served(assistant_a, body, "thumb")
    assert thumb.size == (320, 240)
    display = assistant_a.get(body["display_url"]).data
    assert len(display) == body["display_bytes"]
    assert 0xC0 in jpeg_markers(display)  # baseline: 5× faster to encode than progressive
    photo = db.session.get(Photo, body["id"])
    assert sorted(p.name for p in stored_files(photo_dir)) == sorted(
        k.rsplit("/", 1)[1] for k in (photo.display_key, photo.thumb_key)
    )


def test_retry_with_same_client_uuid_returns_the_same_photo(assistant_a, photo_dir):
    key = str(uuid.uuid4())
    first = post_photo(assistant_a, corpus("exif_gps.jpg"), client_uuid=key)
    again = post_photo(assistant_a, corpus("exif_gps.jpg"), client_uuid=key.upper())
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json() == first.get_json()
    assert photo_count() == 1
    assert len(stored_files(photo_dir)) == 2


def test_client_uuid_of_another_user_is_a_conflict(assistant_a, world, login, photo_dir):
    key = str(uuid.uuid4())
    assert post_photo(assistant_a, corpus("exif_gps.jpg"), client_uuid=key).status_code == 201
    other = login(world.a.users["inspector"])
    resp = post_photo(other, corpus("exif_gps.jpg"), client_uuid=key)
    assert resp.status_code == 409
    assert "client_uuid" in resp.get_json()["errors"]
    assert photo_count() == 1 and len(stored_files(photo_dir)) == 2


def test_concurrent_retries_store_one_photo(world, login, photo_dir):
    clients = [login(world.a.users["assistant"]) for _ in range(5)]
    db.session.rollback()  # hold no SQLite transaction while the threads write
    key, data = str(uuid.uuid4()), corpus("flower2.webp")
    barrier = threading.Barrier(len(clients))
    results: list[tuple[int, dict]] = []

    def send(client):
        barrier.wait()
        resp = post_photo(client, data, client_uuid=key)
        results.append((resp.status_code, resp.get_json()))

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(code for code, _ in results) == [200, 200, 200, 200, 201], results
    assert len({body["id"] for _, body in results}) == 1
    assert photo_count() == 1
    assert len(stored_files(photo_dir)) == 2


def test_property_is_required_when_the_caller_has_several(world, login):
    user = world.a.users["supervisor"]
    user.properties.append(world.b.prop)
    db.session.commit()
    client = login(user)
    resp = post_photo(client, corpus("exif_gps.jpg"))
    assert resp.status_code == 422
    assert "property_id" in resp.get_json()["errors"]
    resp = post_photo(client, corpus("exif_gps.jpg"), property_id=str(world.b.prop.id))
    assert resp.status_code == 201
    assert resp.get_json()["property_id"] == world.b.prop.id


def test_property_must_be_one_of_the_callers(assistant_a, world, photo_dir):
    resp = post_photo(assistant_a, corpus("exif_gps.jpg"), property_id=str(world.b.prop.id))
    assert resp.status_code == 404
    assert "property_id" in resp.get_json()["errors"]
    assert photo_count() == 0 and stored_files(photo_dir) == []


def test_taken_at_uses_the_property_time_zone(world, login):
    world.a.prop.timezone = "Asia/Urumqi"  # UTC+6
    db.session.commit()
    body = post_photo(login(world.a.users["assistant"]), twelve_mp_jpeg()).get_json()
    assert body["taken_at"] == "2024-05-06T02:30:00+00:00"


def test_upload_needs_a_login(client, world, photo_dir):
    resp = post_photo(client, corpus("exif_gps.jpg"))
    assert resp.status_code == 401
    assert photo_count() == 0 and stored_files(photo_dir) == []


def test_user_without_a_property_cannot_upload(world, login):
    loner = factories.user("assistant", [world.a.prop], username="loner")
    loner.properties = []
    db.session.commit()
    resp = post_photo(login(loner), corpus("exif_gps.jpg"))
    assert resp.status_code == 422
    assert "property_id" in resp.get_json()["errors"]
