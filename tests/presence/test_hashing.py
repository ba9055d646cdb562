"""The photo fingerprint: difference hash, bands (the lookup prefilter) and QR decoding."""

from __future__ import annotations

import io
import random

from PIL import Image

from app.extensions import db
from app.presence import hashing
from app.presence.signing import signed_url
from tests import factories
from tests.presence.conftest import jpeg, recompressed, textured, upload, with_label


def test_hashes_within_the_distance_always_share_a_band():
    rng = random.Random(3)
    for _ in range(500):
        value = rng.getrandbits(64)
        flipped = value
        for bit in rng.sample(range(64), hashing.MAX_DISTANCE):
            flipped ^= 1 << bit
        assert hashing.distance(value, flipped) == hashing.MAX_DISTANCE
        assert set(enumerate(hashing.bands(value))) & set(enumerate(hashing.bands(flipped)))


def test_hashes_within_the_distance_share_two_bands_even_at_worst():
    """The lookup asks for two shared bands: six flipped bits in six bands still leave two."""
    rng = random.Random(4)
    for _ in range(500):
        value = rng.getrandbits(64)
        flipped = value
        for band in rng.sample(range(hashing.BANDS), hashing.MAX_DISTANCE):  # one bit per band
            flipped ^= 1 << (band * hashing.BAND_BITS + rng.randrange(hashing.BAND_BITS))
        assert hashing.distance(value, flipped) == hashing.MAX_DISTANCE
        shared = set(enumerate(hashing.bands(value))) & set(enumerate(hashing.bands(flipped)))
        assert len(shared) == hashing.BANDS - hashing.MAX_DISTANCE


def test_signed_storage_round_trips():
    for value in (0, 1, (1 << 63) - 1, 1 << 63, (1 << 64) - 1):
        stored = hashing.to_signed(value)
        assert -(1 << 63) <= stored < 1 << 63 and hashing.to_unsigned(stored) == value


def test_a_recompressed_copy_stays_close_and_another_picture_does_not():
    original = jpeg(textured(21))
    a = hashing.dhash(Image.open(io.BytesIO(original)))
    b = hashing.dhash(Image.open(io.BytesIO(recompressed(original))))
    c = hashing.dhash(Image.open(io.BytesIO(jpeg(textured(22)))))
    assert hashing.distance(a, b) <= 2
    assert hashing.distance(a, c) > 3 * hashing.MAX_DISTANCE


def test_the_decoder_reads_a_label_in_a_photo(app):
    url = "https://patrol.example.com/c/AB12CD?v=3&s=abcdefghijkl"
    img = Image.open(io.BytesIO(with_label(url)))
    assert hashing.qr_texts(img) == [url]
    assert hashing.qr_texts(textured(5)) == []


def test_a_checklist_item_can_ask_for_the_label_or_not(scene):
    a = scene.world.a
    asks = [{"text_zh": "表计读数清晰", "category": "equipment", "label_in_photo": True}]
    factories.template(a.prop, kind="meter_box", items=asks)
    meter = factories.checkpoint(a.zone, kind="meter_box", name_zh="2楼仪表箱")
    db.session.commit()
    item = scene.items(meter)[0]
    assert item["label_in_photo"] is True
    body = scene.submit(meter, photo_ids=[upload(scene.client, jpeg(textured(30)))])
    assert [r["code"] for r in body["presence"]["reasons"]] == ["label_not_in_photo"]
    seen = upload(scene.client, with_label(signed_url(meter.code, 1), seed=31))
    later = scene.submit(meter, photo_ids=[seen], signed=False)  # typed, but the label is seen
    assert later["presence"]["label_in_photo"] is True
    assert later["presence"]["score"] == 100 - 30 - 20 + 20  # typed, repeat scan, label bonus
