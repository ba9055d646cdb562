"""The label sheet as a phone and a person read it: every QR decodes, the names are there."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.labels import service, sheet
from app.places.models import Checkpoint
from app.presence.signing import sign, signed_url
from tests import factories
from tests.labels.pdf import page_sizes_mm, scan_pages, text_of

BASE = "https://patrol.example.com"


def _sheet(client, **query) -> bytes:
    resp = client.get("/api/v1/labels.pdf", query_string=query)
    assert resp.status_code == 200, resp.get_json()
    assert resp.mimetype == "application/pdf"
    return resp.data


def test_every_qr_on_every_page_decodes_to_its_checkpoint_url(admin, world, stairwells):
    pdf = _sheet(admin, zone_id=world.a.zone.id)
    pages = scan_pages(pdf)
    assert page_sizes_mm(pdf) == [(210, 297)] * 2
    assert [len(found) for found in pages] == [sheet.LABELS_PER_PAGE, 12 - sheet.LABELS_PER_PAGE]
    decoded = [scan.text for found in pages for scan in found]
    expected = {signed_url(c.code, c.label_version) for c in stairwells}
    assert len(decoded) == len(expected) and set(decoded) == expected
    for scan in (scan for found in pages for scan in found):
        # Big and robust enough to scan from 30-50 cm: at least 40 mm, error correction M or Q.
        assert scan.side_mm >= 40
        assert scan.ec_level in {"M", "Q"}


def test_the_sheet_carries_names_zone_and_code_in_embedded_chinese(admin, world):
    fire = factories.checkpoint(
        world.a.zone, kind="fire_equipment", name_zh="五楼消防栓", name_en="5F fire hydrant"
    )
    db.session.commit()
    pdf = _sheet(admin, checkpoint_id=fire.id)
    text = text_of(pdf)
    for expected in ("五楼消防栓", "5F fire hydrant", world.a.zone.name_zh, fire.code):
        assert expected in text
    # The CJK font travels inside the PDF (TrueType subset), so any printer shows the Chinese.
    assert b"/FontFile2" in pdf


def test_label_url_is_the_api_url_signed_with_the_label_version(admin, world):
    body = admin.get(f"/api/v1/checkpoints/{world.a.checkpoint.id}").get_json()
    assert service.plain_url(world.a.checkpoint) == body["url"] == f"{BASE}/c/{body['code']}"
    signature = sign(body["code"], world.a.checkpoint.label_version)
    assert service.label_url(world.a.checkpoint) == f"{body['url']}?v=1&s={signature}"


def test_a_long_name_wraps_and_is_cut_with_an_ellipsis(app):
    font = service.label_font()
    width = sheet.CELL_W - 2 * sheet.CELL_PAD
    lines = sheet.wrap("一二三四五六七八九十" * 5, font, 12, width, 2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    english = sheet.wrap("Building 3 floor 10 stairwell fire hydrant", font, 8, width, 2)
    assert " ".join(english) == "Building 3 floor 10 stairwell fire hydrant"
    assert all(not line.startswith(" ") for line in english)


@pytest.mark.parametrize("content", [None, b"not a font at all"])
def test_a_missing_or_bad_font_is_a_clear_error(app, admin, world, monkeypatch, tmp_path, content):
    path = tmp_path / "font.ttc"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setitem(app.config, "LABEL_FONT_PATH", str(path))
    resp = admin.get("/api/v1/labels.pdf", query_string={"zone_id": world.a.zone.id})
    assert resp.status_code == 500
    body = resp.get_json()
    assert body["code"] == "label_font_missing"
    assert "LABEL_FONT_PATH" in body["detail_en"] and "中文字体" in body["detail_zh"]


def test_only_active_checkpoints_get_labels(admin, world):
    world.a.checkpoint.active = False
    db.session.commit()
    resp = admin.get("/api/v1/labels.pdf", query_string={"zone_id": world.a.zone.id})
    assert resp.status_code == 404
    assert db.session.get(Checkpoint, world.a.checkpoint.id) is not None
