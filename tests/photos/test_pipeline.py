"""The image pipeline on its own: orientation, colour modes, capture time, limits."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageFile, JpegImagePlugin

from app.errors import Invalid
from app.photos import pipeline
from app.photos.pipeline import TooLarge, process_upload
from tests.photos.helpers import (
    BLUE,
    encode,
    exif_block,
    is_red,
    marked_with_orientation,
    png_bomb,
    twelve_mp_jpeg,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def run(data: bytes, *, max_bytes: int = 15 << 20, max_pixels: int = 40_000_000, tz=SHANGHAI):
    return process_upload(io.BytesIO(data), max_bytes=max_bytes, max_pixels=max_pixels, tz=tz)


def decoded(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def test_truncated_images_are_never_loaded():
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_orientation_comes_out_upright(orientation, fmt):
    result = run(marked_with_orientation((120, 60), orientation, fmt))
    assert (result.width, result.height) == (120, 60)
    display = decoded(result.display.data)
    assert display.size == (120, 60)
    assert is_red(display.getpixel((5, 5)))
    assert not is_red(display.getpixel((115, 5))) and not is_red(display.getpixel((5, 55)))
    assert display.getpixel((115, 55))[2] > 200  # blue away from the marked corner


def test_large_sideways_jpeg_is_measured_from_the_real_size():
    # Draft mode decodes this at a quarter of its size; the record keeps the real size.
    result = run(marked_with_orientation((3000, 2000), 6))
    assert (result.width, result.height) == (3000, 2000)
    assert (result.display.width, result.display.height) == (1600, 1067)
    assert (result.thumb.width, result.thumb.height) == (320, 213)
    display = decoded(result.display.data)
    assert is_red(display.getpixel((20, 20))) and not is_red(display.getpixel((1580, 20)))


def test_twelve_megapixel_jpeg_is_decoded_in_draft_mode(monkeypatch):
    seen = []
    real_draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        seen.append(size)
        result = real_draft(self, mode, size)
        seen.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    result = run(twelve_mp_jpeg())
    assert seen == [(1600, 1200), (2000, 1500)]  # DCT-scaled by 2, not decoded at 12 MP
    assert (result.width, result.height) == (4000, 3000)
    assert result.taken_at == datetime(2024, 5, 6, 0, 30, tzinfo=UTC)


def test_small_photo_is_not_enlarged():
    result = run(encode(Image.new("RGB", (200, 100), BLUE)))
    assert (result.display.width, result.display.height) == (200, 100)
    assert (result.thumb.width, result.thumb.height) == (200, 100)


def test_transparent_png_goes_on_white():
    img = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    img.paste((255, 0, 0, 255), (0, 0, 20, 40))
    display = decoded(run(encode(img, "PNG")).display.data)
    assert display.mode == "RGB"
    assert min(display.getpixel((35, 20))) > 240
    assert is_red(display.getpixel((5, 20)))


@pytest.mark.parametrize("mode", ["P", "LA", "L", "1", "I;16"])
def test_other_modes_become_rgb(mode):
    base = Image.new("RGB", (30, 20), (120, 120, 120))
    if mode == "I;16":
        img = Image.new("I;16", (30, 20), 120 * 257)
    elif mode == "P":
        img = base.convert("P")
        img.info["transparency"] = 0
    else:
        img = base.convert(mode)
    display = decoded(run(encode(img, "PNG")).display.data)
    assert display.mode == "RGB"
    if mode not in ("1", "P"):  # "1" dithers; "P" here has its only colour transparent
        assert all(100 < c < 140 for c in display.getpixel((15, 10))), mode


def test_colour_profile_is_kept_but_nothing_else():
    srgb = pipeline.ImageCms.ImageCmsProfile(pipeline.ImageCms.createProfile("sRGB")).tobytes()
    img = Image.new("RGB", (50, 50), BLUE)
    data = encode(
        img,
        exif=exif_block(taken="2024:05:06 08:30:00"),
        icc_profile=srgb,
        comment=b"owner: Zhang San",
    )
    result = run(data)
    for rendition in (result.display, result.thumb):
        out = Image.open(io.BytesIO(rendition.data))
        assert out.info.get("icc_profile") == srgb
        assert "exif" not in out.info and "comment" not in out.info
        assert b"Zhang San" not in rendition.data


@pytest.mark.skipif(not pipeline.HEIF_SUPPORTED, reason="pillow-heif not installed")
def test_heic_is_accepted():
    img = Image.new("RGB", (64, 48), BLUE)
    result = run(encode(img, "HEIF", exif=exif_block(taken="2024:05:06 08:30:00")))
    assert result.content_type == "image/heif"
    assert (result.width, result.height) == (64, 48)
    assert result.taken_at == datetime(2024, 5, 6, 0, 30, tzinfo=UTC)
    assert decoded(result.display.data).format == "JPEG"


@pytest.mark.parametrize(
    ("taken", "offset", "tz", "expected"),
    [
        ("2024:05:06 08:30:00", None, SHANGHAI, datetime(2024, 5, 6, 0, 30, tzinfo=UTC)),
        ("2024:05:06 08:30:00", "-05:00", SHANGHAI, datetime(2024, 5, 6, 13, 30, tzinfo=UTC)),
        ("2024:05:06 08:30:00", "+09:00", UTC, datetime(2024, 5, 5, 23, 30, tzinfo=UTC)),
        ("2024:05:06 08:30:00", "garbage", UTC, datetime(2024, 5, 6, 8, 30, tzinfo=UTC)),
        ("0000:00:00 00:00:00", None, SHANGHAI, None),
        ("    :  :     :  :  ", None, SHANGHAI, None),
        ("1970:01:01 08:00:00", None, SHANGHAI, None),
        ("2099:09:29 10:10:10", None, SHANGHAI, None),
    ],
)
def test_capture_time(taken, offset, tz, expected):
    data = encode(Image.new("RGB", (16, 16)), exif=exif_block(taken=taken, offset=offset))
    assert run(data, tz=tz).taken_at == expected


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_half_a_file_is_refused(fmt):
    if fmt == "HEIF" and not pipeline.HEIF_SUPPORTED:
        pytest.skip("pillow-heif not installed")
    data = encode(Image.effect_noise((320, 240), 60).convert("RGB"), fmt)
    with pytest.raises(Invalid) as refused:
        run(data[: len(data) // 2])
    assert "file" in refused.value.errors


def test_non_rgb_profile_is_not_put_on_the_rgb_copy():
    lab = pipeline.ImageCms.ImageCmsProfile(pipeline.ImageCms.createProfile("LAB")).tobytes()
    data = encode(Image.new("L", (20, 20), 99), "PNG", icc_profile=lab)
    out = Image.open(io.BytesIO(run(data).display.data))
    assert out.mode == "RGB" and "icc_profile" not in out.info


def test_no_exif_means_no_capture_time():
    assert run(encode(Image.new("RGB", (16, 16)))).taken_at is None


def test_byte_limit_and_empty_file():
    with pytest.raises(TooLarge) as too_large:
        run(twelve_mp_jpeg(), max_bytes=1000)
    assert too_large.value.status == 413 and "file" in too_large.value.errors
    with pytest.raises(Invalid):
        run(b"")


def test_pillow_bomb_warning_is_a_refusal_not_a_crash():
    # 90 MP is past Pillow's own warning threshold; the suite turns warnings into errors.
    with pytest.raises(Invalid) as refused:
        run(png_bomb(10000, 9000), max_pixels=200_000_000)
    assert "file" in refused.value.errors


def test_hard_bomb_error_is_a_refusal():
    with pytest.raises(Invalid):
        run(png_bomb(20000, 20000), max_pixels=10**12)
