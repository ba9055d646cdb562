"""Pages outside the JSON API: the label landing page and the API documentation."""

from __future__ import annotations

import gzip
import re

import pytest

from app import web
from app.extensions import db


def test_label_url_opens_checkpoint_page(client, world):
    resp = client.get(f"/c/{world.a.checkpoint.code}")
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    assert world.a.checkpoint.name_zh in resp.get_data(as_text=True)


def test_unknown_label_is_a_clear_page_not_a_500(client, world):
    resp = client.get("/c/NOSUCH")
    assert resp.status_code == 404
    text = resp.get_data(as_text=True)
    assert "未知的点位标签" in text and "Unknown checkpoint label" in text


def test_retired_label_says_so(client, world):
    world.a.checkpoint.active = False
    db.session.commit()
    resp = client.get(f"/c/{world.a.checkpoint.code}")
    assert resp.status_code == 410
    assert "此点位已停用" in resp.get_data(as_text=True)


def test_openapi_document_lists_the_public_routes(client):
    resp = client.get("/api/openapi.json")
    assert resp.status_code == 200
    spec = resp.get_json()
    paths = spec["paths"]
    for path in (
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/me",
        "/api/v1/auth/tokens",
        "/api/v1/checkpoints/by-code/{code}",
        "/api/v1/properties",
        "/api/v1/zones",
        "/api/v1/checkpoints",
        "/api/v1/units",
        "/api/v1/departments",
        "/api/v1/routing-rules",
        "/api/v1/checklists",
        "/api/v1/users",
    ):
        assert path in paths, path
    login_body = paths["/api/v1/auth/login"]["post"]["requestBody"]
    assert "Login" in str(login_body)


def test_api_docs_ui_is_served_locally(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "swagger" in page.get_data(as_text=True).lower()
    asset = client.get("/api/docs/static/swagger-ui-bundle.js")
    assert asset.status_code == 200
    asset.close()


@pytest.fixture
def dist(tmp_path, monkeypatch):
    """A built web app (index.html, service worker, one hashed asset) for app/web.py to serve."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(
        "<!doctype html><html><head><title>物业巡查 Patrol</title></head><body></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    monkeypatch.setattr(web, "WEB_DIST", tmp_path)
    return tmp_path


def test_hashed_assets_are_immutable_and_the_shell_is_revalidated(client, dist):
    asset = client.get("/assets/index-abc123.js")
    assert asset.status_code == 200
    assert "immutable" in asset.headers["Cache-Control"]
    asset.close()
    for path in ("/", "/sw.js", "/outbox"):
        resp = client.get(path)
        assert resp.status_code == 200, path
        assert resp.headers["Cache-Control"] == "no-cache", path
        resp.close()
    sw = client.get("/sw.js")
    assert sw.headers["Service-Worker-Allowed"] == "/"
    sw.close()


def test_a_missing_asset_is_a_404_not_the_app_page(client, dist):
    assert client.get("/assets/index-old999.js").status_code == 404


def test_label_url_opens_the_app_titled_with_the_checkpoint(client, world, dist):
    resp = client.get(f"/c/{world.a.checkpoint.code}")
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-cache"
    title = f"<title>{world.a.checkpoint.name_zh} · 物业巡查</title>"
    assert title in resp.get_data(as_text=True)
    assert client.get("/c/NOSUCH").status_code == 404  # an unknown label never opens the app


def test_the_built_app_files_carry_the_security_headers(client, dist):
    from app.common.security import CSP

    for path in ("/", "/outbox", "/sw.js", "/assets/index-abc123.js"):
        resp = client.get(path)
        assert resp.status_code == 200, path
        assert resp.headers["Content-Security-Policy"] == CSP, path
        assert resp.headers["X-Content-Type-Options"] == "nosniff", path
        resp.close()


BUILT = web.WEB_DIST


@pytest.mark.skipif(not (BUILT / "index.html").exists(), reason="web/dist is not built (make web)")
def test_the_build_has_no_inline_script_or_style_and_asks_no_other_host():
    """Check what the CSP (script-src, style-src 'self', no other host) needs of the build."""
    html = (BUILT / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(" src=" in tag for tag in scripts), scripts
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers either
    for css in (BUILT / "assets").glob("*.css"):
        # Vant's icon font names a copy on at.alicdn.com; the build keeps only the embedded one.
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css.read_text(encoding="utf-8")), css


def _precompress(path):
    body = path.read_bytes()
    path.with_name(path.name + ".gz").write_bytes(gzip.compress(body))
    path.with_name(path.name + ".br").write_bytes(brotli_stub(body))


def brotli_stub(body: bytes) -> bytes:
    """Stand in for a brotli file: app/web.py sends the bytes as they are, never decoding them."""
    return b"BR:" + body


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [("br, gzip", "br"), ("gzip, deflate", "gzip"), ("identity", None), (None, None)],
)
def test_built_files_are_sent_precompressed_as_the_browser_accepts(client, dist, accept, encoding):
    _precompress(dist / "assets" / "index-abc123.js")
    _precompress(dist / "index.html")
    headers = {"Accept-Encoding": accept} if accept else {}
    pairs = (("/assets/index-abc123.js", "assets/index-abc123.js"), ("/", "index.html"))
    for path, source in pairs:
        resp = client.get(path, headers=headers)
        assert resp.status_code == 200
        assert resp.headers.get("Content-Encoding") == encoding, path
        assert "Accept-Encoding" in resp.headers["Vary"], path  # caches keep the variants apart
        expected = (dist / source).read_bytes()
        if encoding == "gzip":
            assert gzip.decompress(resp.data) == expected
        elif encoding == "br":
            assert resp.data == brotli_stub(expected)
        else:
            assert resp.data == expected
        resp.close()
    js = client.get("/assets/index-abc123.js", headers=headers)
    assert js.mimetype == "text/javascript"  # the original's type, not the variant's
    assert "immutable" in js.headers["Cache-Control"]
    js.close()


def test_a_file_without_variants_is_sent_plain_without_vary(client, dist):
    resp = client.get("/sw.js", headers={"Accept-Encoding": "br, gzip"})
    assert "Content-Encoding" not in resp.headers
    assert "Accept-Encoding" not in resp.headers.get("Vary", "")
    resp.close()


def test_the_web_app_still_answers_its_own_routes_and_the_api_docs(client):
    for path in ("/tickets/12", "/apiary", "/api/docs"):  # /apiary only starts like /api
        resp = client.get(path)
        assert resp.status_code == 200, path
        resp.close()  # the built index.html is sent as a file
