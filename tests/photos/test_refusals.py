"""Uploads the server refuses: a clear 4xx naming the field, and nothing stored."""

from __future__ import annotations

import time

import pytest
from PIL import Image, ImageFile

from app.photos import service
from tests.photos.helpers import (
    corpus,
    encode,
    exif_block,
    photo_count,
    png_bomb,
    post_photo,
    stored_files,
    twelve_mp_jpeg,
)


@pytest.fixture
def refused(assistant_a, photo_dir):
    """Return a function that uploads bytes and checks the refusal left nothing behind."""

    def _refused(content: bytes, status: int, field: str = "file", **kwargs):
        resp = post_photo(assistant_a, content, **kwargs)
        assert resp.status_code == status, resp.get_json()
        assert resp.mimetype == "application/problem+json"
        body = resp.get_json()
        assert field in body["errors"], body
        assert body["detail_zh"] and body["detail_en"]
        assert photo_count() == 0
        assert stored_files(photo_dir) == []
        return body

    return _refused


def test_text_file_named_jpg(refused):
    refused("巡查记录：楼道灯不亮\n".encode() * 50, 422, filename="photo.jpg")


def test_truncated_jpeg(refused):
    body = refused(corpus("truncated_jpeg.jpg"), 422)
    assert "JPEG" in body["detail_en"]


def test_jpeg_cut_in_half(refused):
    data = twelve_mp_jpeg()
    refused(data[: len(data) // 2], 422)


def test_empty_file(refused):
    refused(b"", 422)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats(refused, fmt):
    refused(encode(Image.new("RGB", (40, 30), (9, 9, 9)), fmt), 422)


def test_file_over_the_byte_limit(refused, app):
    assert app.config["PHOTO_MAX_BYTES"] == 15 * 1024 * 1024
    data = twelve_mp_jpeg()
    padded = data + bytes(15 * 1024 * 1024 + 1 - len(data))  # junk after the JPEG's end
    body = refused(padded, 413)
    assert "15 MB" in body["detail_en"]


def test_body_far_over_the_limit_is_refused_before_it_is_read(refused, app, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", 100_000)
    monkeypatch.setattr(service, "upload_photo", lambda *a: pytest.fail("body was read"))
    refused(twelve_mp_jpeg(), 413)


def test_decompression_bomb_is_refused_fast(refused):
    data = png_bomb(20000, 20000)
    assert len(data) < 200_000
    started = time.perf_counter()
    body = refused(data, 422)
    assert time.perf_counter() - started < 1.0
    assert "megapixels" in body["detail_en"]


def test_image_over_the_pixel_limit(refused):
    # 48 MP: over PHOTO_MAX_PIXELS (40 MP) yet under Pillow's own bomb warning (89 MP).
    refused(png_bomb(8000, 6000), 422)


def test_pixel_limit_is_configurable(refused, app, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_MAX_PIXELS", 10_000)
    refused(corpus("flower2.webp"), 422)


def test_missing_file(assistant_a, photo_dir):
    resp = assistant_a.post(
        "/api/v1/photos",
        data={"client_uuid": "6f1c1a3e-3d5e-4a55-9a39-8f4f3c2d1b0a"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    assert "file" in resp.get_json()["errors"]
    assert photo_count() == 0


def test_file_sent_as_a_text_field(assistant_a):
    resp = assistant_a.post(
        "/api/v1/photos",
        data={"client_uuid": "6f1c1a3e-3d5e-4a55-9a39-8f4f3c2d1b0a", "file": "not a file"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    assert "file" in resp.get_json()["errors"]


@pytest.mark.parametrize("client_uuid", [" ", "not-a-uuid", "1234"])
def test_bad_client_uuid(refused, client_uuid):
    refused(corpus("exif_gps.jpg"), 422, field="client_uuid", client_uuid=client_uuid)


def test_json_body_is_not_an_upload(assistant_a):
    resp = assistant_a.post("/api/v1/photos", json={"client_uuid": "x"})
    assert resp.status_code == 422
    assert {"file", "client_uuid"} <= set(resp.get_json()["errors"])


def test_pixels_are_checked_before_decoding(refused, monkeypatch):
    calls = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: calls.append(self))
    refused(png_bomb(8000, 6000), 422)
    assert calls == []


def test_broken_exif_does_not_crash(assistant_a):
    small = Image.new("RGB", (64, 48), (30, 90, 30))
    data = bytearray(encode(small, exif=exif_block(6, taken="2024:05:06 08:30:00")))
    start = data.index(b"Exif\x00\x00") + 6
    data[start : start + 8] = b"XXXXXXXX"  # the TIFF header inside APP1
    resp = post_photo(assistant_a, bytes(data))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["taken_at"] is None
    assert (body["width"], body["height"]) == (64, 48)  # orientation unknown: as stored


def test_refused_upload_keeps_its_client_uuid_free(assistant_a, photo_dir):
    key = "0b7a3f52-1c9e-4d38-b7a2-5d7e8c9f0a1b"
    assert post_photo(assistant_a, corpus("truncated_jpeg.jpg"), client_uuid=key).status_code == 422
    resp = post_photo(assistant_a, corpus("exif_gps.jpg"), client_uuid=key)
    assert resp.status_code == 201
    assert len(stored_files(photo_dir)) == 2
