"""The phone's own 1600 px copy is served as sent, metadata stripped, pixels untouched."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops

from app.photos import jpeg
from app.photos.pipeline import MAX_ICC_BYTES
from tests.photos.helpers import jpeg_markers, post_photo

GPS_IFD = 0x8825


def _phone_copy(*, progressive: bool = False, orientation: int = 1, size=(1600, 1200)) -> bytes:
    """A JPEG like the phone's canvas makes, plus what a careless app might add to it."""
    img = Image.radial_gradient("L").resize(size).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif.get_ifd(GPS_IFD)[2] = (31.0, 14.0, 0.0)  # latitude: where the assistant stood
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80, exif=exif, progressive=progressive, comment=b"home")
    return out.getvalue()


def _pixels(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def test_the_phone_copy_is_served_without_a_re_encode_and_without_its_metadata(assistant_a):
    sent = _phone_copy()
    body = post_photo(assistant_a, sent).get_json()
    display = assistant_a.get(body["display_url"]).data
    markers = jpeg_markers(display)
    assert 0xE1 not in markers and 0xFE not in markers  # no EXIF/XMP, no comment
    assert b"GPS" not in display and b"home" not in display
    # The same compressed picture: bit for bit the same pixels, not a second generation.
    assert ImageChops.difference(_pixels(display), _pixels(sent)).getbbox() is None
    assert len(display) < len(sent)
    assert (body["display_width"], body["display_height"]) == (1600, 1200)


@pytest.mark.parametrize(
    ("why", "photo"),
    [
        ("progressive", _phone_copy(progressive=True)),
        ("sideways", _phone_copy(orientation=6)),
        ("too big", _phone_copy(size=(2000, 1500))),
    ],
)
def test_other_jpegs_are_still_decoded_turned_and_re_encoded(assistant_a, why, photo):
    body = post_photo(assistant_a, photo).get_json()
    display = assistant_a.get(body["display_url"]).data
    assert 0xE1 not in jpeg_markers(display) and b"GPS" not in display, why
    assert 0xC0 in jpeg_markers(display), why  # our own baseline encode
    assert max(body["display_width"], body["display_height"]) <= 1600, why
    if why == "sideways":
        assert (body["display_width"], body["display_height"]) == (1200, 1600)


def test_stripping_gives_up_on_what_it_cannot_vouch_for():
    sent = _phone_copy()
    assert jpeg.strip_metadata(sent, MAX_ICC_BYTES) is not None
    assert jpeg.strip_metadata(sent[:-200], MAX_ICC_BYTES) is None  # no end of image
    assert jpeg.strip_metadata(b"\xff\xd8\xff\xe1\x00", MAX_ICC_BYTES) is None  # cut short
    assert jpeg.strip_metadata(_phone_copy(progressive=True), MAX_ICC_BYTES) is None
    assert jpeg.strip_metadata(b"not a jpeg", MAX_ICC_BYTES) is None


def test_trailing_bytes_after_the_picture_are_dropped():
    sent = _phone_copy() + b"hidden payload after EOI"
    stripped = jpeg.strip_metadata(sent, MAX_ICC_BYTES)
    assert stripped is not None and stripped.endswith(b"\xff\xd9")
    assert b"hidden payload" not in stripped
