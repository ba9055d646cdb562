"""Photo integrity: re-used photos (identical or re-compressed) and the label inside a photo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.presence import hashing
from app.presence.signing import signed_url
from tests.presence.conftest import jpeg, recompressed, textured, upload, with_label


def codes(body: dict) -> list[str]:
    return [r["code"] for r in body["presence"]["reasons"]]


def _first(scene, data: bytes) -> tuple[dict, int]:
    photo = upload(scene.client, data)
    earlier = datetime.now(UTC) - timedelta(hours=2)
    return scene.submit(scene.near, earlier, photo_ids=[photo]), photo


def test_a_re_uploaded_photo_is_flagged_with_a_link_to_the_earlier_one(scene):
    original = jpeg(textured(1))
    first, first_photo = _first(scene, original)
    assert "photo_identical" not in codes(first)
    second = scene.submit(scene.world.a.checkpoint, photo_ids=[upload(scene.client, original)])
    assert "photo_identical" in codes(second)
    match = second["presence"]["photo_matches"][0]
    assert match["earlier_photo_id"] == first_photo
    assert match["earlier_inspection_id"] == first["id"] and match["identical"] is True
    assert second["presence"]["status"] == "doubtful"


def test_a_slightly_recompressed_copy_is_flagged_as_reused(scene):
    original = jpeg(textured(2))
    _, first_photo = _first(scene, original)
    copy = upload(scene.client, recompressed(original))
    second = scene.submit(scene.world.a.checkpoint, photo_ids=[copy])
    assert "photo_reused" in codes(second)
    match = second["presence"]["photo_matches"][0]
    assert match["earlier_photo_id"] == first_photo and match["identical"] is False
    assert match["distance"] <= hashing.MAX_DISTANCE


def test_an_unrelated_photo_is_not_flagged(scene):
    _first(scene, jpeg(textured(3)))
    second = scene.submit(
        scene.world.a.checkpoint, photo_ids=[upload(scene.client, jpeg(textured(4)))]
    )
    assert not {"photo_reused", "photo_identical"} & set(codes(second))
    assert second["presence"]["photo_matches"] == []


def test_photos_of_another_property_are_never_compared(scene, login):
    original = jpeg(textured(5))
    _first(scene, original)
    b = scene.world.b
    other = login(b.users["assistant"])
    photo = upload(other, original)
    from tests.presence.conftest import Scene

    there = Scene(world=scene.world, far=None, near=None, fire=None, client=other)
    assert there.submit(b.checkpoint, photo_ids=[photo])["presence"]["photo_matches"] == []


def test_the_checkpoints_own_label_in_the_photo_is_recognised(scene):
    fire = scene.fire
    photo = upload(scene.client, with_label(signed_url(fire.code, fire.label_version)))
    body = scene.submit(fire, photo_ids=[photo])
    assert body["presence"]["label_in_photo"] is True
    assert not {"label_not_in_photo", "other_label_in_photo"} & set(codes(body))
    assert body["presence"]["score"] == 100


def test_another_checkpoints_label_in_the_photo_is_not_taken_for_this_one(scene):
    other = scene.near
    photo = upload(scene.client, with_label(signed_url(other.code, other.label_version)))
    body = scene.submit(scene.fire, photo_ids=[photo])
    assert body["presence"]["label_in_photo"] is False
    assert "other_label_in_photo" in codes(body)


def test_fire_equipment_photos_without_the_label_lower_the_score(scene):
    photo = upload(scene.client, jpeg(textured(9)))
    body = scene.submit(scene.fire, photo_ids=[photo])
    assert body["presence"]["label_in_photo"] is False
    assert "label_not_in_photo" in codes(body)
    # A stairwell does not ask for the label in its photos.
    plain = scene.submit(scene.near, photo_ids=[upload(scene.client, jpeg(textured(10)))])
    assert plain["presence"]["label_in_photo"] is None


def test_a_photo_taken_before_the_scan_is_not_fresh(scene):
    scanned = datetime.now(UTC) - timedelta(minutes=5)
    old = (scanned - timedelta(days=3)).isoformat()
    stale = upload(scene.client, jpeg(textured(11)), file_modified_at=old)
    body = scene.submit(scene.near, scanned, photo_ids=[stale])
    assert body["presence"]["photos_fresh"] is False and "photo_not_fresh" in codes(body)
    rescanned = scanned + timedelta(minutes=3)
    taken = (rescanned + timedelta(seconds=30)).isoformat()
    fresh = upload(scene.client, jpeg(textured(12)), file_modified_at=taken)
    later = scene.submit(scene.world.a.checkpoint, rescanned, photo_ids=[fresh])
    assert later["presence"]["photos_fresh"] is True
